// A fleet-wide limit (N requests per fixed UTC window, or N microdollars of a budget per UTC day,
// month or all time, shared by every node through Redis) as one node holds it: a lease, a slice
// of the window's N that Redis granted to this node, spent here with one CAS per take and no
// round trip. The fleet thread (engine/cluster) renews it ahead
// of need, returns what sits idle and installs a local share when Redis is gone.
//
// Each lease word packs the window it belongs to with what is left of it, so a take can never
// spend one window's lease in another. Two words, by window parity, so the next window's lease
// can be installed before the current one ends.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ringgate::admission {

// Set by the fleet thread, read by shards: how admission treats an empty lease.
enum class FleetState : uint8_t {
  kUp,          // Redis answers: an empty lease is a rate limit (or a renewal in flight)
  kDownClosed,  // Redis gone, on_redis_down = "closed": an empty lease is a 503
  kDownLocal,   // Redis gone, on_redis_down = "local": leases are local shares of limit / nodes
};

// How a lease's windows are cut: fixed lengths (rpm, rph, rpd, a daily budget), UTC calendar
// months (a monthly budget), or one window for all time (a total budget).
enum class FleetWindow : uint8_t { kSeconds, kUtcMonth, kForever };

class FleetLease {
 public:
  enum class Take : uint8_t {
    kOk,
    kRenewing,     // empty, a renewal is asked for: retry shortly
    kExhausted,    // the fleet spent this window: retry when it ends
    kUnavailable,  // Redis gone and the policy is closed
  };

  // `limit` requests per `window_s` seconds across the fleet; `scope` names the Redis key
  // ("key:alice:rpm"). `state` is the fleet's, shared by every lease; it outlives them.
  // `wake_fd`: an eventfd the fleet thread polls, written once when a take asks for renewal
  // (-1: none, the thread finds the request on its next round).
  // `window_s` is the window's length for kSeconds and a nominal one (Redis key TTLs) otherwise.
  FleetLease(std::string scope, uint64_t limit, uint64_t window_s, uint64_t slice,
             const std::atomic<FleetState>* state, int wake_fd = -1,
             FleetWindow kind = FleetWindow::kSeconds, bool exact = false);

  // Shard side, lock-free. `unix_ms`: the wall clock (windows are UTC-aligned across nodes).
  // `amount`: 1 for a request, a reservation's microdollars for a budget.
  Take try_take(uint64_t unix_ms, uint64_t amount = 1);
  // What a take took and did not spend goes back, if its window is still current.
  void give_back(uint64_t window, uint64_t amount = 1);
  // Spent beyond what was taken (a request that cost more than its reservation): taken from the
  // lease where it can be, else owed, and the fleet thread adds the debt to this node's net.
  void charge_extra(uint64_t window, uint64_t amount);
  uint64_t window_of(uint64_t unix_ms) const;
  uint64_t window_end_ms(uint64_t window) const;  // UINT64_MAX for kForever
  FleetWindow kind() const { return kind_; }
  // [cluster] mode = "exact": no slack is leased; a failed take asks Redis for exactly what it
  // needs (kRenewing), and the request waits for the grant instead of being refused.
  bool exact() const { return exact_; }
  uint64_t take_asked() { return asked_.exchange(0, std::memory_order_acq_rel); }
  // Renewal was asked for (by a take below the low-water mark) and not yet served.
  bool wants_renewal() const { return want_.load(std::memory_order_acquire); }
  uint64_t last_take_ms() const { return last_take_ms_.load(std::memory_order_relaxed); }

  // Fleet thread side (one thread). Adds `grant` to `window`'s lease, replacing a lease of an
  // older window held in the same word; clears the renewal request.
  void install(uint64_t window, uint64_t grant);
  // Takes back what is left of `window`'s lease (to return it to Redis).
  uint64_t take_remaining(uint64_t window);
  uint64_t remaining(uint64_t window) const;
  // The fleet answered that `window` is spent: takes report kExhausted until it ends.
  // With `unix_ms`, a spent window of an hour or more is asked again at most once a second
  // (another node may return its lease); without, never.
  void mark_exhausted(uint64_t window, uint64_t unix_ms = 0) {
    exhausted_at_ms_.store(unix_ms, std::memory_order_relaxed);
    exhausted_.store(window + 1, std::memory_order_release);
  }
  void clear_renewal() { want_.store(false, std::memory_order_release); }
  // The most a failed take asked for since the last install (a grant must cover it), and the
  // debt charge_extra left; each read once by the fleet thread.
  uint64_t take_need() { return need_.exchange(0, std::memory_order_acq_rel); }
  uint64_t take_debt() { return debt_.exchange(0, std::memory_order_acq_rel); }
  // The fleet's net grants in the current window as Redis last said (a 402's "spent").
  void set_fleet_used(uint64_t v) { fleet_used_.store(v, std::memory_order_relaxed); }
  uint64_t fleet_used() const { return fleet_used_.load(std::memory_order_relaxed); }

  const std::string& scope() const { return scope_; }
  uint64_t limit() const { return limit_; }
  uint64_t window_s() const { return window_s_; }
  uint64_t slice() const { return slice_; }
  uint64_t low_water() const { return low_water_; }

  // Per-window totals the fleet thread keeps for itself (granted minus returned by this node),
  // so it can restore them into a Redis that lost them. Touched by the fleet thread only.
  struct Held {
    uint64_t window = 0, net = 0;
  };
  std::array<Held, 2> held{};

 private:
  static constexpr int kLeftBits = 40;
  static constexpr uint64_t kLeftMask = (uint64_t(1) << kLeftBits) - 1;
  static uint64_t pack(uint64_t window, uint64_t left) {
    return (window << kLeftBits) | (left & kLeftMask);
  }
  static bool same_window(uint64_t word, uint64_t window) {
    return (word >> kLeftBits) == (window & ((uint64_t(1) << (64 - kLeftBits)) - 1));
  }
  std::atomic<uint64_t>& word(uint64_t window) { return words_[window & 1]; }
  const std::atomic<uint64_t>& word(uint64_t window) const { return words_[window & 1]; }

  const std::string scope_;
  const uint64_t limit_, window_s_, slice_, low_water_;
  const std::atomic<FleetState>* state_;
  const int wake_fd_;
  const FleetWindow kind_;
  const bool exact_;
  void ask_renewal();
  void raise_need(uint64_t amount);
  std::array<std::atomic<uint64_t>, 2> words_{};
  std::atomic<bool> want_{true};        // a fresh lease has nothing: ask at once
  std::atomic<uint64_t> exhausted_{0};  // window + 1 the fleet spent; 0: none
  std::atomic<uint64_t> last_take_ms_{0};
  std::atomic<uint64_t> exhausted_at_ms_{0};  // when the fleet last said spent: asked again later
  std::atomic<uint64_t> need_{0}, debt_{0}, fleet_used_{0}, asked_{0};
};

// Where leases come from: the fleet thread (engine/cluster) makes one per scope and renews it.
// Called when a config snapshot is built, never per request; the same scope and limit get the
// same lease, so a reload keeps what this node holds.
class FleetLeases {
 public:
  virtual ~FleetLeases() = default;
  virtual std::shared_ptr<FleetLease> lease(std::string_view scope, uint64_t limit,
                                            uint64_t window_s) = 0;
  // A budget's lease: `limit` microdollars per window of `kind` (kSeconds: one UTC day).
  virtual std::shared_ptr<FleetLease> budget_lease(std::string_view scope, uint64_t limit,
                                                   FleetWindow kind) = 0;
};

}  // namespace ringgate::admission
