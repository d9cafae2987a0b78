#include "engine/admission/period_counter.h"

#include <algorithm>

namespace ringgate::admission {
namespace {

constexpr uint64_t kMax = PeriodCounter::kMaxMicros;

uint64_t pack(uint32_t period, uint64_t micros) {
  return (uint64_t(period & 0xffff) << 48) | micros;
}
uint32_t period_of(uint64_t w) { return uint32_t(w >> 48); }
uint64_t micros_of(uint64_t w) { return w & kMax; }
uint64_t clamp_add(uint64_t a, uint64_t b) { return std::min(kMax, a + std::min(b, kMax)); }

// The period a word should count in and its value there: a stale tag counts as zero.
uint32_t newest(uint64_t w, uint32_t period) { return std::max(period_of(w), period & 0xffff); }
uint64_t value_in(uint64_t w, uint32_t period) { return period_of(w) == period ? micros_of(w) : 0; }

}  // namespace

bool PeriodCounter::try_reserve(uint32_t period, uint64_t amount, uint64_t limit,
                                uint32_t& reserved_in, uint64_t& committed) {
  uint64_t w = committed_.load(std::memory_order_relaxed);
  for (;;) {
    const uint32_t p = newest(w, period);
    const uint64_t c = value_in(w, p);
    // A budget already used up refuses even a free request.
    if (c >= limit || amount > limit - c) {
      committed = c;
      return false;
    }
    if (committed_.compare_exchange_weak(w, pack(p, c + amount), std::memory_order_relaxed)) {
      reserved_in = p;
      return true;
    }
  }
}

void PeriodCounter::settle(uint32_t reserved_in, uint32_t now_period, uint64_t reserved,
                           uint64_t actual) {
  uint64_t w = committed_.load(std::memory_order_relaxed);
  uint32_t p;
  for (;;) {
    p = newest(w, now_period);
    const uint64_t c = value_in(w, p);
    const uint64_t next =
        p == reserved_in ? clamp_add(c - std::min(c, reserved), actual) : clamp_add(c, actual);
    if (committed_.compare_exchange_weak(w, pack(p, next), std::memory_order_relaxed)) break;
  }
  add(spent_, p, actual);
}

void PeriodCounter::refund(uint32_t reserved_in, uint64_t reserved) {
  uint64_t w = committed_.load(std::memory_order_relaxed);
  while (period_of(w) == reserved_in) {
    const uint64_t c = micros_of(w);
    if (committed_.compare_exchange_weak(w, pack(reserved_in, c - std::min(c, reserved)),
                                         std::memory_order_relaxed))
      return;
  }
}

uint64_t PeriodCounter::read(const std::atomic<uint64_t>& word, uint32_t period) {
  const uint64_t w = word.load(std::memory_order_relaxed);
  return period_of(w) >= (period & 0xffff) ? value_in(w, period_of(w)) : 0;
}

void PeriodCounter::add(std::atomic<uint64_t>& word, uint32_t period, uint64_t amount) {
  uint64_t w = word.load(std::memory_order_relaxed);
  for (;;) {
    const uint32_t p = newest(w, period);
    if (word.compare_exchange_weak(w, pack(p, clamp_add(value_in(w, p), amount)),
                                   std::memory_order_relaxed))
      return;
  }
}

}  // namespace ringgate::admission
