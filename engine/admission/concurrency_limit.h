// Requests in flight against a cap, shared by every shard. A CAS loop rather than fetch_add, so
// the count never exceeds the cap even for an instant and a reader never sees an overshoot.
#pragma once

#include <atomic>
#include <cstdint>

namespace ringgate::admission {

class ConcurrencyLimit {
 public:
  ConcurrencyLimit() = default;
  explicit ConcurrencyLimit(uint32_t cap) : cap_(cap) {}
  void configure(uint32_t cap) { cap_ = cap; }  // only before the limit is shared

  bool try_enter() {
    uint32_t n = in_flight_.load(std::memory_order_relaxed);
    do {
      if (n >= cap_) return false;
    } while (!in_flight_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
    return true;
  }
  void leave() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

  uint32_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  uint32_t cap() const { return cap_; }

 private:
  uint32_t cap_ = 0;
  std::atomic<uint32_t> in_flight_{0};
  static_assert(std::atomic<uint32_t>::is_always_lock_free);
};

}  // namespace ringgate::admission
