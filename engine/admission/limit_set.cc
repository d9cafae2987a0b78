#include "engine/admission/limit_set.h"

#include <algorithm>

namespace ringgate::admission {
namespace {

constexpr uint64_t kWindows[3] = {kMinuteNs, kHourNs, kDayNs};

void narrow(BucketView& view, const TokenBucket& b, uint64_t now_ns) {
  const TokenBucket::View v = b.view(now_ns);
  const uint64_t remaining = v.remaining, reset_ms = ceil_ms(v.until_full_ns);
  // Fewest remaining first; on a tie, the one that takes longer to reset.
  if (view.present && (remaining > view.remaining ||
                       (remaining == view.remaining && reset_ms <= view.reset_after_ms)))
    return;
  view = {true, b.capacity(), remaining, reset_ms};
}

}  // namespace

std::string_view limit_name(LimitKind kind) {
  switch (kind) {
    case LimitKind::kRpm:
      return "rpm";
    case LimitKind::kRph:
      return "rph";
    case LimitKind::kRpd:
      return "rpd";
    case LimitKind::kTpm:
      return "tpm";
    case LimitKind::kTph:
      return "tph";
    case LimitKind::kTpd:
      return "tpd";
    case LimitKind::kConcurrent:
      return "concurrent";
  }
  return "unknown";
}

void LimitSet::configure(const config::RateLimits& limits) {
  limits_ = limits;
  const uint64_t caps[kBuckets] = {limits.rpm, limits.rph, limits.rpd,
                                   limits.tpm, limits.tph, limits.tpd};
  mask_ = 0;
  for (int i = 0; i < kBuckets; ++i) {
    if (!caps[i]) continue;
    buckets_[i].configure(caps[i], kWindows[i % 3]);
    mask_ |= uint8_t(1u << i);
  }
  concurrency_.configure(limits.concurrent);
}

bool LimitSet::try_acquire(uint64_t tokens, uint64_t now_ns, LimitRefusal& refusal) {
  if (limits_.concurrent && !concurrency_.try_enter()) {
    refusal = probe(tokens, now_ns);
    if (refusal.wait_ns < kConcurrencyRetryNs)
      refusal = {LimitKind::kConcurrent, limits_.concurrent, kConcurrencyRetryNs};
    return false;
  }
  for (int i = 0; i < kBuckets; ++i) {
    if (!has(i) || buckets_[i].try_take(amount(i, tokens), now_ns).ok) continue;
    give_back_first(i, tokens, now_ns);
    if (limits_.concurrent) concurrency_.leave();
    refusal = probe(tokens, now_ns);
    return false;
  }
  return true;
}

LimitRefusal LimitSet::probe(uint64_t tokens, uint64_t now_ns) const {
  LimitRefusal worst;
  for (int i = 0; i < kBuckets; ++i) {
    if (!has(i)) continue;
    const uint64_t wait = buckets_[i].wait_ns(amount(i, tokens), now_ns);
    if (wait > worst.wait_ns) worst = {LimitKind(i), buckets_[i].capacity(), wait};
  }
  return worst;
}

void LimitSet::give_back_first(int count, uint64_t tokens, uint64_t now_ns) {
  for (int i = 0; i < count; ++i) {
    if (has(i)) buckets_[i].give_back(amount(i, tokens), now_ns);
  }
}

void LimitSet::release(uint64_t tokens, uint64_t now_ns) {
  give_back_first(kBuckets, tokens, now_ns);
  if (limits_.concurrent) concurrency_.leave();
}

void LimitSet::correct_tokens(uint64_t estimated, uint64_t actual, uint64_t now_ns) {
  for (int i = 3; i < kBuckets; ++i) {
    if (!has(i) || actual == estimated) continue;
    if (actual < estimated)
      buckets_[i].give_back(estimated - actual, now_ns);
    else
      buckets_[i].force_take(actual - estimated, now_ns);
  }
}

void LimitSet::tighten(uint64_t now_ns, LimitHeaders& out) const {
  for (int i = 0; i < kBuckets; ++i) {
    if (has(i)) narrow(i < 3 ? out.requests : out.tokens, buckets_[i], now_ns);
  }
}

bool LimitSet::idle(uint64_t now_ns) const {
  if (concurrency_.in_flight()) return false;
  for (int i = 0; i < kBuckets; ++i) {
    if (has(i) && buckets_[i].until_full_ns(now_ns)) return false;
  }
  return true;
}

}  // namespace ringgate::admission
