// Single flight: identical concurrent cache misses on one node share one upstream call. The
// first request for a key leads (it calls upstream and appends the answer's bytes to a shared,
// append-only log); later ones follow (they read the log from offset 0 as it grows, and are woken
// as bytes arrive). Pure, thread-safe, no I/O.
//
// Non-blocking by design, for io_uring shards: nothing here waits. A follower on a shard
//   1. calls read_from(offset, out) and sends what it got;
//   2. when it got nothing and the flight is still running, calls wake_after(offset, callback);
//      the callback runs once, on the leader's thread, as soon as the log is longer than offset
//      or the flight settles (or immediately on the caller's thread when that is already so,
//      returning false). The engine's callback only posts a wake to the follower's shard
//      (io_uring msg_ring or an eventfd write) where the follower's coroutine resumes at step 1.
//   Callbacks must be short and must not call back into the Flight.
//
// Lifetime (seed-defect 004-P14): every request attached to a flight (leader's client included)
// holds a reference; release() drops it when that client hangs up or finishes. The upstream call
// is cancelled only when no attached request remains: cancel_requested() turns true and the
// cancel callback runs. The leader's client hanging up alone does not stop the flight.
//
// Bounded: at most max_followers per flight; beyond that join() answers kAlone and the request
// goes upstream on its own. A failed flight tells followers to retry on their own (uncoalesced);
// a settled or cancelled flight leaves the table at once, so a later request starts afresh (and
// normally hits the exact cache instead).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cache/canonical_request.h"

namespace ringgate::cache {

enum class FlightState : uint8_t { kRunning, kDone, kFailed, kCancelled };

struct FlightRead {
  size_t bytes = 0;  // appended to out
  FlightState state = FlightState::kRunning;
  bool at_end = false;  // offset + bytes is the log's current end
};

class SingleFlight;

class Flight {
 public:
  Flight(SingleFlight* group, const CacheKey& key) : group_(group), key_(key) {}
  Flight(const Flight&) = delete;
  Flight& operator=(const Flight&) = delete;

  // Leader: what the log holds, e.g. "anthropic sse" (set before the first append; opaque here).
  void set_format(std::string format);
  std::string format() const;
  // Leader: more bytes of the answer; ignored once settled.
  void append(std::string_view bytes);
  void finish();  // the answer is complete: kDone
  void fail();    // upstream failed: followers retry on their own
  bool cancel_requested() const;
  // Runs once when the last attached request releases before the flight settles.
  void on_cancel(std::function<void()> callback);

  // Follower: up to max_bytes of the log from offset.
  FlightRead read_from(size_t offset, std::string& out, size_t max_bytes = SIZE_MAX) const;
  // See the header comment. False (callback not kept) when there is already something to read
  // past offset or the flight has settled: read again now.
  bool wake_after(size_t offset, std::function<void()> callback);

  // Any attached request (leader's client or follower) leaving.
  void release();
  size_t attached() const;
  const CacheKey& key() const { return key_; }

 private:
  friend class SingleFlight;
  enum class Attach : uint8_t { kAttached, kFull, kSettled };
  Attach attach(size_t max_followers);  // called under the group's lock
  void settle(FlightState state);
  std::vector<std::function<void()>> take_wakers_locked();

  SingleFlight* const group_;
  const CacheKey key_;
  mutable std::mutex mu_;
  std::string log_;
  std::string format_;
  FlightState state_ = FlightState::kRunning;
  size_t attached_ = 1;  // the leader's client
  size_t followers_ = 0;
  struct Waker {
    size_t offset;
    std::function<void()> callback;
  };
  std::vector<Waker> wakers_;
  std::function<void()> cancel_callback_;
};

enum class FlightRole : uint8_t { kLeader, kFollower, kAlone };

struct FlightJoin {
  FlightRole role = FlightRole::kAlone;
  std::shared_ptr<Flight> flight;  // null for kAlone
};

class SingleFlight {
 public:
  explicit SingleFlight(size_t max_followers = 64) : max_followers_(max_followers) {}
  SingleFlight(const SingleFlight&) = delete;
  SingleFlight& operator=(const SingleFlight&) = delete;

  FlightJoin join(const CacheKey& key);
  size_t in_flight() const;

 private:
  friend class Flight;
  void forget(const CacheKey& key, const Flight* flight);

  const size_t max_followers_;
  mutable std::mutex mu_;
  std::unordered_map<CacheKey, std::shared_ptr<Flight>, CacheKeyHash> flights_;
};

}  // namespace ringgate::cache
