#include "engine/upstream/circuit_breaker.h"

#include <algorithm>

namespace ringgate::upstream {

CircuitBreaker::CircuitBreaker(BreakerOptions o)
    : opts_(o),
      bucket_ms_(std::max<uint64_t>(1, o.window_ms / kBuckets)),
      cooldown_ms_(std::max<uint32_t>(1, o.cooldown_ms)) {
  opts_.max_cooldown_ms = std::max(opts_.max_cooldown_ms, cooldown_ms_);
}

Permit CircuitBreaker::admit(uint64_t now_ms) {
  switch (state_) {
    case BreakerState::kClosed:
      return {Permit::kNormal, generation_};
    case BreakerState::kOpen:
      if (now_ms < retry_at_ms_) return {};
      state_ = BreakerState::kHalfOpen;
      [[fallthrough]];
    case BreakerState::kHalfOpen:
      if (probe_out_) return {};
      // A fresh generation per probe: an abandoned probe's late result speaks for nobody.
      probe_out_ = true;
      return {Permit::kProbe, ++generation_};
  }
  return {};
}

void CircuitBreaker::record(const Permit& p, bool success, uint64_t now_ms) {
  if (p.generation != generation_) return;  // issued before the last transition: stale
  if (p.kind == Permit::kNormal && state_ == BreakerState::kClosed) {
    count(success, now_ms);
    return;
  }
  if (p.kind != Permit::kProbe || state_ != BreakerState::kHalfOpen || !probe_out_) return;
  probe_out_ = false;
  if (success) {
    close();
  } else {
    cooldown_ms_ = static_cast<uint32_t>(
        std::min<uint64_t>(opts_.max_cooldown_ms, uint64_t{cooldown_ms_} * 2));
    open(now_ms);
  }
}

void CircuitBreaker::abandon(const Permit& p, uint64_t) {
  if (p.kind == Permit::kProbe && p.generation == generation_ && probe_out_) probe_out_ = false;
}

BreakerState CircuitBreaker::state(uint64_t now_ms) const {
  if (state_ == BreakerState::kOpen && now_ms >= retry_at_ms_) return BreakerState::kHalfOpen;
  return state_;
}

void CircuitBreaker::count(bool success, uint64_t now_ms) {
  const uint64_t epoch = now_ms / bucket_ms_;
  Bucket& b = buckets_[epoch % kBuckets];
  if (b.epoch != epoch) b = Bucket{epoch, 0, 0};
  ++b.requests;
  if (success) {
    consecutive_ = 0;
  } else {
    ++b.failures;
    ++consecutive_;
  }
  const bool streak = opts_.consecutive_failures > 0 && consecutive_ >= opts_.consecutive_failures;
  if (!success && (streak || window_says_open(now_ms))) open(now_ms);
}

// Sums only buckets inside the window, for both counts, so old requests never dilute the rate.
bool CircuitBreaker::window_says_open(uint64_t now_ms) const {
  const uint64_t epoch = now_ms / bucket_ms_;
  uint64_t requests = 0, failures = 0;
  for (const Bucket& b : buckets_) {
    if (b.epoch + kBuckets <= epoch || b.epoch > epoch) continue;
    requests += b.requests;
    failures += b.failures;
  }
  if (requests == 0 || requests < opts_.min_window_requests) return false;
  return static_cast<double>(failures) >= opts_.error_rate * static_cast<double>(requests);
}

void CircuitBreaker::open(uint64_t now_ms) {
  state_ = BreakerState::kOpen;
  ++generation_;
  retry_at_ms_ = now_ms + cooldown_ms_;
  clear_window();
}

void CircuitBreaker::close() {
  state_ = BreakerState::kClosed;
  ++generation_;
  cooldown_ms_ = std::max<uint32_t>(1, opts_.cooldown_ms);
  clear_window();
}

void CircuitBreaker::clear_window() {
  buckets_.fill(Bucket{});
  consecutive_ = 0;
}

}  // namespace ringgate::upstream
