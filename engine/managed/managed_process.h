// One managed deployment's live status, node-wide: written by the supervisor's thread, read and
// nudged by every shard with relaxed atomics (no lock on the request path). A shard asks for a
// start (want_start) and waits for kReady; the supervisor alone forks, probes and stops.
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/config/runtime.h"

namespace ringgate::managed {

// The clock every managed deadline and idle time is on (shards and the supervisor alike).
inline uint64_t steady_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
}

// The supervisor's eventfd: a shard writes it (no lock) when a stopped deployment is wanted.
int supervisor_wake_fd();
void wake_supervisor();

enum class ManagedState : uint8_t { kStopped, kStarting, kReady, kStopping, kFailed };
std::string_view to_string(ManagedState s);

class ManagedProcess {
 public:
  explicit ManagedProcess(const config::ManagedServer& def) : def_(def) {}

  const config::ManagedServer& def() const { return def_; }
  ManagedState state() const { return ManagedState(state_.load(std::memory_order_acquire)); }
  void set_state(ManagedState s) { state_.store(uint8_t(s), std::memory_order_release); }

  // A shard: this deployment is wanted (a request waits or will). Returns whether the caller
  // should wake the supervisor (the first ask since the last start).
  bool want_start() { return !start_wanted_.exchange(true, std::memory_order_acq_rel); }
  bool take_start_wanted() { return start_wanted_.exchange(false, std::memory_order_acq_rel); }
  bool start_wanted() const { return start_wanted_.load(std::memory_order_acquire); }

  // Bounded waiting room for a start: false when max_queued requests already wait.
  bool enter_queue() {
    if (queued_.fetch_add(1, std::memory_order_acq_rel) < def_.max_queued) return true;
    queued_.fetch_sub(1, std::memory_order_acq_rel);
    return false;
  }
  void leave_queue() { queued_.fetch_sub(1, std::memory_order_acq_rel); }
  uint32_t queued() const { return queued_.load(std::memory_order_relaxed); }

  // Requests routed here; in_flight keeps an idle stop from cutting one off.
  void begin_request() {
    in_flight_.fetch_add(1, std::memory_order_acq_rel);
    requests_.fetch_add(1, std::memory_order_relaxed);
    touch();
  }
  void end_request() {
    touch();
    in_flight_.fetch_sub(1, std::memory_order_acq_rel);
  }
  void touch() { last_used_ms_.store(steady_ms(), std::memory_order_relaxed); }
  uint64_t last_used_ms() const { return last_used_ms_.load(std::memory_order_relaxed); }
  int64_t in_flight() const { return in_flight_.load(std::memory_order_acquire); }
  uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }

  // What /readyz and /metrics show; set by the supervisor.
  std::atomic<int64_t> pid{0};
  std::atomic<uint64_t> ready_since_unix_ms{0};  // 0: not ready
  std::atomic<uint64_t> starts{0}, start_failures{0}, health_probes{0};
  // Earliest a start may be tried again after a failure (steady ms); shards read it for
  // Retry-After.
  std::atomic<uint64_t> retry_at_ms{0};

 private:
  const config::ManagedServer def_;
  std::atomic<uint8_t> state_{uint8_t(ManagedState::kStopped)};
  std::atomic<bool> start_wanted_{false};
  std::atomic<uint32_t> queued_{0};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<uint64_t> requests_{0}, last_used_ms_{0};
};

// Every managed deployment of a runtime. Built with each runtime; a deployment whose name and
// managed settings a reload leaves unchanged keeps its process (its child keeps running).
class ManagedFleet {
 public:
  static std::shared_ptr<const ManagedFleet> build(const config::Runtime& rt,
                                                   const ManagedFleet* previous);
  // null: not a managed deployment.
  ManagedProcess* process(config::DeploymentId id) const;
  const std::unordered_map<config::DeploymentId, std::shared_ptr<ManagedProcess>>& all() const {
    return processes_;
  }
  bool empty() const { return processes_.empty(); }
  // `"managed":[...]` for /readyz and the ringgate_managed_* metrics, in the runtime's order.
  void append_json(const config::Runtime& rt, std::string& out) const;
  void append_metrics(const config::Runtime& rt, std::string& out) const;

 private:
  std::unordered_map<config::DeploymentId, std::shared_ptr<ManagedProcess>> processes_;
};

}  // namespace ringgate::managed
