#include "engine/admission/anonymous_table.h"

#include <bit>

namespace ringgate::admission {
namespace {

// ffff:ffff:ffff:ffff::/64 is multicast and 255.255.255.255 broadcast: neither is ever a source.
constexpr uint64_t kEmpty = ~uint64_t(0);

}  // namespace

AnonymousTable::AnonymousTable(const config::RateLimits& limits, size_t slots) : limits_(limits) {
  const size_t n = std::bit_ceil(slots < kProbe ? kProbe : slots);
  mask_ = n - 1;
  shift_ = 64 - std::countr_zero(n);
  slots_ = std::make_unique<Slot[]>(n);
  for (size_t i = 0; i < n; ++i) {
    slots_[i].key.store(kEmpty, std::memory_order_relaxed);
    slots_[i].limits.configure(limits);
  }
}

uint64_t AnonymousTable::address_key(const IpAddress& ip) {
  uint64_t k = 0;
  if (!ip.v6) {
    k = 0xffff'ffff'0000'0000 | (uint64_t(ip.bytes[0]) << 24) | (uint64_t(ip.bytes[1]) << 16) |
        (uint64_t(ip.bytes[2]) << 8) | ip.bytes[3];
  } else {
    for (int i = 0; i < 8; ++i) k = (k << 8) | ip.bytes[i];  // the /64
  }
  return k == kEmpty ? kEmpty - 1 : k;
}

size_t AnonymousTable::start_of(uint64_t key) const {
  return size_t((key * 0x9e37'79b9'7f4a'7c15) >> shift_) & mask_;  // Fibonacci hashing
}

// Lookups take the first slot holding the key in probe order, so two threads that both claimed a
// slot for one new address converge on the same one.
AnonymousTable::Slot* AnonymousTable::first_match(uint64_t key, size_t start) {
  for (size_t i = 0; i < kProbe; ++i) {
    Slot& s = slots_[(start + i) & mask_];
    if (s.key.load(std::memory_order_acquire) == key) return &s;
  }
  return nullptr;
}

AnonymousTable::Slot* AnonymousTable::find_or_claim(uint64_t key, uint64_t now_ns) {
  const size_t start = start_of(key);
  // Slots are never emptied, so a key always sits before the first empty slot of its window.
  for (size_t i = 0; i < kProbe; ++i) {
    Slot& s = slots_[(start + i) & mask_];
    uint64_t k = s.key.load(std::memory_order_acquire);
    if (k == kEmpty && s.key.compare_exchange_strong(k, key, std::memory_order_acq_rel)) return &s;
    if (k == key) return &s;
  }
  for (size_t i = 0; i < kProbe; ++i) {
    Slot& s = slots_[(start + i) & mask_];
    uint64_t k = s.key.load(std::memory_order_acquire);
    if (k == key) return &s;
    if (s.limits.idle(now_ns) && s.key.compare_exchange_strong(k, key, std::memory_order_acq_rel))
      return first_match(key, start);
  }
  return nullptr;
}

AnonymousTable::Acquired AnonymousTable::acquire(const IpAddress& ip, uint64_t tokens,
                                                 uint64_t now_ns, LimitRefusal& refusal) {
  const uint64_t key = address_key(ip);
  for (int attempt = 0; attempt < 2; ++attempt) {
    Slot* s = find_or_claim(key, now_ns);
    if (!s) return {nullptr, true};
    if (!s->limits.try_acquire(tokens, now_ns, refusal)) return {nullptr, false};
    if (s->key.load(std::memory_order_acquire) == key) return {&s->limits, false};
    s->limits.release(tokens, now_ns);  // the slot was handed to another address meanwhile
  }
  return {nullptr, true};
}

}  // namespace ringgate::admission
