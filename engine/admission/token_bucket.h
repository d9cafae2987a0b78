// A token bucket shared by every shard through one atomic word, GCRA style: the word holds the
// point on the bucket's token clock at which the bucket is full again. `now` is an argument, so
// the bucket is pure and a test drives it with a fake clock.
//
// Exactness: the token clock is floor(now_ns * capacity / window_ns), computed in 128 bits, so
// refills happen at the fixed instants ceil(k * window / capacity) on the steady clock and never
// drift, whatever the rate (1/day to 1e9/minute). The price of that exactness: a bucket that sat
// full keeps the partial progress towards its next token, so over any interval [t0, t1] it admits
// at most capacity + (token_clock(t1) - token_clock(t0)).
#pragma once

#include <atomic>
#include <cstdint>

namespace ringgate::admission {

inline constexpr uint64_t kNsPerMs = 1'000'000;
inline constexpr uint64_t kMinuteNs = 60'000 * kNsPerMs;
inline constexpr uint64_t kHourNs = 60 * kMinuteNs;
inline constexpr uint64_t kDayNs = 24 * kHourNs;
// The wait reported for a request larger than the bucket's capacity: it can never be admitted.
inline constexpr uint64_t kNeverNs = UINT64_MAX;

// Rounded up, so a refusal never says 0 (seed-defect 000-M5).
constexpr uint64_t ceil_ms(uint64_t ns) {
  return ns == kNeverNs ? kNeverNs : (ns + kNsPerMs - 1) / kNsPerMs;
}

struct TakeResult {
  bool ok = false;
  uint64_t wait_ns = 0;  // when refused: the exact wait until n would fit; kNeverNs if n > capacity
};

class TokenBucket {
 public:
  TokenBucket() = default;
  // capacity tokens per window; capacity is clamped to [1, window_ns] (at most one token per ns).
  TokenBucket(uint64_t capacity, uint64_t window_ns) { configure(capacity, window_ns); }
  // Only before the bucket is shared (arrays of buckets are configured in place).
  void configure(uint64_t capacity, uint64_t window_ns);

  TakeResult try_take(uint64_t n, uint64_t now_ns);
  // What try_take would answer, without taking: 0 if n fits now.
  uint64_t wait_ns(uint64_t n, uint64_t now_ns) const;
  // A refund or a downward correction; the bucket never goes above its capacity.
  void give_back(uint64_t n, uint64_t now_ns);
  // An upward correction (actual use exceeded the estimate): may go into debt, so later takers
  // wait until the debt is repaid.
  void force_take(uint64_t n, uint64_t now_ns);

  uint64_t remaining(uint64_t now_ns) const;
  uint64_t until_full_ns(uint64_t now_ns) const;  // 0 when full: the "reset" of rate-limit headers
  // Both at once, from one reading of the clock and the word (the headers want both).
  struct View {
    uint64_t remaining = 0, until_full_ns = 0;
  };
  View view(uint64_t now_ns) const;
  uint64_t capacity() const { return capacity_; }
  uint64_t window_ns() const { return window_ns_; }

 private:
  uint64_t token_clock(uint64_t now_ns) const;  // floor(now * capacity / window)
  uint64_t time_of(uint64_t tokens) const;      // ceil(tokens * window / capacity), saturating
  uint64_t wait_until(uint64_t full_at, uint64_t n, uint64_t now_ns, uint64_t clock) const;

  uint64_t capacity_ = 1;
  uint64_t window_ns_ = kMinuteNs;
  std::atomic<uint64_t> full_at_{0};  // token clock value at which the bucket is full again
  static_assert(std::atomic<uint64_t>::is_always_lock_free);
};

}  // namespace ringgate::admission
