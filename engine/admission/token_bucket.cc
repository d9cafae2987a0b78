#include "engine/admission/token_bucket.h"

#include <algorithm>

namespace ringgate::admission {
namespace {

using u128 = unsigned __int128;

uint64_t saturating_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

// n / d for a quotient known to fit in 64 bits (n >> 64 < d). One divq on x86-64: the generic
// 128-bit division (__udivti3) was a fifth of a whole admit + settle.
uint64_t narrow_divide(u128 n, uint64_t d) {
#if defined(__x86_64__)
  uint64_t q, r;
  asm("divq %4" : "=a"(q), "=d"(r) : "a"(uint64_t(n)), "d"(uint64_t(n >> 64)), "rm"(d));
  return q;
#else
  return uint64_t(n / d);
#endif
}

}  // namespace

void TokenBucket::configure(uint64_t capacity, uint64_t window_ns) {
  window_ns_ = std::max<uint64_t>(window_ns, 1);
  capacity_ = std::clamp<uint64_t>(capacity, 1, window_ns_);
  full_at_.store(0, std::memory_order_relaxed);
}

uint64_t TokenBucket::token_clock(uint64_t now_ns) const {
  // capacity <= window, so the quotient fits in 64 bits.
  return narrow_divide(u128(now_ns) * capacity_, window_ns_);
}

uint64_t TokenBucket::time_of(uint64_t tokens) const {
  const u128 n = u128(tokens) * window_ns_ + capacity_ - 1;
  return uint64_t(n >> 64) >= capacity_ ? UINT64_MAX : narrow_divide(n, capacity_);
}

// The wait until n more tokens fit in a bucket that is full at `full_at`: the earliest time whose
// token clock reaches max(full_at, clock) + n - capacity.
uint64_t TokenBucket::wait_until(uint64_t full_at, uint64_t n, uint64_t now_ns,
                                 uint64_t clock) const {
  if (n > capacity_) return kNeverNs;
  const uint64_t after = saturating_add(std::max(full_at, clock), n);
  if (after - clock <= capacity_) return 0;
  const uint64_t at = time_of(after - capacity_);
  return at == UINT64_MAX ? kNeverNs : at - now_ns;  // at > now_ns since its clock is > clock
}

TakeResult TokenBucket::try_take(uint64_t n, uint64_t now_ns) {
  const uint64_t clock = token_clock(now_ns);
  uint64_t full_at = full_at_.load(std::memory_order_relaxed);
  for (;;) {
    if (uint64_t wait = wait_until(full_at, n, now_ns, clock)) return {false, wait};
    const uint64_t next = std::max(full_at, clock) + n;
    if (full_at_.compare_exchange_weak(full_at, next, std::memory_order_relaxed)) return {true, 0};
  }
}

uint64_t TokenBucket::wait_ns(uint64_t n, uint64_t now_ns) const {
  return wait_until(full_at_.load(std::memory_order_relaxed), n, now_ns, token_clock(now_ns));
}

void TokenBucket::give_back(uint64_t n, uint64_t now_ns) {
  const uint64_t clock = token_clock(now_ns);
  uint64_t full_at = full_at_.load(std::memory_order_relaxed);
  while (full_at > clock) {
    const uint64_t next = full_at - clock > n ? full_at - n : clock;
    if (full_at_.compare_exchange_weak(full_at, next, std::memory_order_relaxed)) return;
  }
}

void TokenBucket::force_take(uint64_t n, uint64_t now_ns) {
  const uint64_t clock = token_clock(now_ns);
  uint64_t full_at = full_at_.load(std::memory_order_relaxed);
  while (!full_at_.compare_exchange_weak(full_at, saturating_add(std::max(full_at, clock), n),
                                         std::memory_order_relaxed)) {
  }
}

TokenBucket::View TokenBucket::view(uint64_t now_ns) const {
  const uint64_t clock = token_clock(now_ns);
  const uint64_t full_at = full_at_.load(std::memory_order_relaxed);
  if (full_at <= clock) return {capacity_, 0};
  const uint64_t used = full_at - clock, at = time_of(full_at);
  return {used >= capacity_ ? 0 : capacity_ - used, at == UINT64_MAX ? kNeverNs : at - now_ns};
}

uint64_t TokenBucket::remaining(uint64_t now_ns) const { return view(now_ns).remaining; }

uint64_t TokenBucket::until_full_ns(uint64_t now_ns) const {
  const uint64_t full_at = full_at_.load(std::memory_order_relaxed);
  if (full_at <= token_clock(now_ns)) return 0;
  const uint64_t at = time_of(full_at);
  return at == UINT64_MAX ? kNeverNs : at - now_ns;
}

}  // namespace ringgate::admission
