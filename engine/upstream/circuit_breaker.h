// CircuitBreaker: one per deployment per shard. Opens on N consecutive failures or on an error
// rate over a rolling window (numerator and denominator from the same buckets, 000-M2); after the
// cooldown exactly one probe goes through, known by its generation, and only that probe's own
// result closes or re-opens the breaker (000-C2). Single-threaded: now is an argument.
#pragma once

#include <array>
#include <cstdint>

namespace ringgate::upstream {

struct BreakerOptions {
  uint32_t consecutive_failures = 5;  // 0 disables this rule
  uint32_t window_ms = 10000;
  uint32_t min_window_requests = 20;
  double error_rate = 0.5;  // opens when failures / requests >= this in the window
  uint32_t cooldown_ms = 5000;
  uint32_t max_cooldown_ms = 120000;
};

enum class BreakerState : uint8_t { kClosed, kOpen, kHalfOpen };

struct Permit {
  enum Kind : uint8_t { kRefused, kNormal, kProbe } kind = kRefused;
  uint64_t generation = 0;
};

class CircuitBreaker {
 public:
  explicit CircuitBreaker(BreakerOptions o = {});

  // kRefused while open (or half-open with its probe out).
  Permit admit(uint64_t now_ms);
  // Every admitted permit reports once. Results of permits from an earlier generation are ignored.
  void record(const Permit& p, bool success, uint64_t now_ms);
  // Admitted but never sent (the client left): a probe's slot frees, nothing is counted.
  void abandon(const Permit& p, uint64_t now_ms);

  // kHalfOpen once an open breaker's cooldown is over (a probe may go) or while the probe is out.
  BreakerState state(uint64_t now_ms) const;
  uint64_t retry_at_ms() const { return retry_at_ms_; }
  uint32_t cooldown_ms() const { return cooldown_ms_; }
  bool probe_out() const { return probe_out_; }
  uint64_t generation() const { return generation_; }

 private:
  static constexpr uint32_t kBuckets = 10;
  struct Bucket {
    uint64_t epoch = 0;  // now / bucket_ms_ when it was last reset
    uint32_t requests = 0;
    uint32_t failures = 0;
  };

  void count(bool success, uint64_t now_ms);
  bool window_says_open(uint64_t now_ms) const;
  void open(uint64_t now_ms);
  void close();
  void clear_window();

  BreakerOptions opts_;
  uint64_t bucket_ms_;
  std::array<Bucket, kBuckets> buckets_{};
  BreakerState state_ = BreakerState::kClosed;
  uint64_t generation_ = 1;  // bumped on every transition, so stale permits are recognisable
  uint32_t consecutive_ = 0;
  uint32_t cooldown_ms_;
  uint64_t retry_at_ms_ = 0;
  bool probe_out_ = false;
};

}  // namespace ringgate::upstream
