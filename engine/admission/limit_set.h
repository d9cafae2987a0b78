// The buckets of one config::RateLimits (one key, team, model or anonymous address): requests and
// tokens per minute, hour and day, plus requests in flight. An acquire is all or nothing: if any
// bucket refuses, what the others took is given back, and the refusal names the limit with the
// longest wait, so Retry-After is the wait after which every bucket fits.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "engine/admission/concurrency_limit.h"
#include "engine/admission/token_bucket.h"
#include "engine/config/admission_config.h"

namespace ringgate::admission {

enum class LimitKind : uint8_t { kRpm, kRph, kRpd, kTpm, kTph, kTpd, kConcurrent };
std::string_view limit_name(LimitKind kind);  // "rpm", ..., "concurrent"

// The wait a refusal by the concurrency cap reports: no clock says when a request will finish.
inline constexpr uint64_t kConcurrencyRetryNs = 1000 * kNsPerMs;

struct LimitRefusal {
  LimitKind kind = LimitKind::kRpm;
  uint64_t limit = 0;    // the refusing limit's configured value
  uint64_t wait_ns = 0;  // kNeverNs: the request alone exceeds the limit's capacity
};

// One bucket as the rate-limit headers describe it.
struct BucketView {
  bool present = false;
  uint64_t limit = 0, remaining = 0, reset_after_ms = 0;
};
// The tightest requests bucket and the tightest tokens bucket over the sets a caller is under.
struct LimitHeaders {
  BucketView requests, tokens;
};

class LimitSet {
 public:
  LimitSet() = default;
  explicit LimitSet(const config::RateLimits& limits) { configure(limits); }
  void configure(const config::RateLimits& limits);  // only before the set is shared
  const config::RateLimits& limits() const { return limits_; }

  // One request and `tokens` tokens from every configured bucket, and a concurrency slot.
  bool try_acquire(uint64_t tokens, uint64_t now_ns, LimitRefusal& refusal);
  // The longest wait any bucket needs for this acquire, and which; wait_ns 0 if it fits now.
  LimitRefusal probe(uint64_t tokens, uint64_t now_ns) const;
  // Undoes an acquire entirely: the request never reached an upstream.
  void release(uint64_t tokens, uint64_t now_ns);
  // The request finished: leaves the concurrency slot and corrects the token buckets to `actual`.
  void finish(uint64_t estimated, uint64_t actual, uint64_t now_ns) {
    leave_concurrency();
    correct_tokens(estimated, actual, now_ns);
  }
  // The two halves of finish(): the slot at once, the tokens when usage is known (any thread).
  void leave_concurrency() {
    if (limits_.concurrent) concurrency_.leave();
  }
  void correct_tokens(uint64_t estimated, uint64_t actual, uint64_t now_ns);

  // Narrows `out` to this set's buckets where they are tighter (fewer remaining).
  void tighten(uint64_t now_ns, LimitHeaders& out) const;
  // Any thread (the admin API): f(kind, limit, remaining, until_full_ns) for each configured
  // limit; the concurrency limit's until_full_ns is 0.
  template <class F>
  void for_each_limit(uint64_t now_ns, F&& f) const {
    const uint64_t configured[kBuckets] = {limits_.rpm, limits_.rph, limits_.rpd,
                                           limits_.tpm, limits_.tph, limits_.tpd};
    for (int i = 0; i < kBuckets; ++i) {
      if (!has(i)) continue;
      const TokenBucket::View v = buckets_[i].view(now_ns);
      f(LimitKind(i), configured[i], v.remaining, v.until_full_ns);
    }
    if (limits_.concurrent) {
      const uint32_t used = concurrency_.in_flight();
      f(LimitKind::kConcurrent, uint64_t(limits_.concurrent),
        uint64_t(used < limits_.concurrent ? limits_.concurrent - used : 0), uint64_t(0));
    }
  }
  // Every bucket full and nothing in flight: indistinguishable from a fresh set.
  bool idle(uint64_t now_ns) const;

 private:
  static constexpr int kBuckets = 6;  // indexed by LimitKind up to kTpd
  bool has(int i) const { return mask_ & (1u << i); }
  static uint64_t amount(int i, uint64_t tokens) { return i < 3 ? 1 : tokens; }
  void give_back_first(int count, uint64_t tokens, uint64_t now_ns);

  config::RateLimits limits_;
  std::array<TokenBucket, kBuckets> buckets_;
  ConcurrencyLimit concurrency_;
  uint8_t mask_ = 0;  // which buckets are configured
};

}  // namespace ringgate::admission
