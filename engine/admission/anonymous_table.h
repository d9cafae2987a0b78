// Per-address limits for callers without a key: a fixed-capacity open-addressing table, claimed
// and reclaimed by CAS, so the request path neither locks nor allocates. An IPv4 address is one
// entry; an IPv6 address counts by its /64, because one host usually holds a whole /64 and could
// otherwise rotate addresses past any limit.
//
// When an address's probe window (kProbe slots) holds only other addresses that are busy (not
// all buckets full, or requests in flight), the table is full for it: the caller is refused (fail
// closed, 429) rather than sharing someone else's buckets. A slot whose buckets are all full again
// is indistinguishable from a fresh one, so it is handed to the next new address.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/admission/ip_address.h"
#include "engine/admission/limit_set.h"

namespace ringgate::admission {

class AnonymousTable {
 public:
  static constexpr size_t kProbe = 16;

  // `slots` is rounded up to a power of two (at least kProbe). Allocated here, once.
  AnonymousTable(const config::RateLimits& limits, size_t slots);
  const config::RateLimits& limits() const { return limits_; }

  struct Acquired {
    LimitSet* set = nullptr;  // acquired for this address; null if refused or full
    bool full = false;        // no slot for this address (refusal is not filled)
  };
  Acquired acquire(const IpAddress& ip, uint64_t tokens, uint64_t now_ns, LimitRefusal& refusal);

  static uint64_t address_key(const IpAddress& ip);

 private:
  struct Slot {
    std::atomic<uint64_t> key;
    LimitSet limits;
  };
  Slot* find_or_claim(uint64_t key, uint64_t now_ns);
  Slot* first_match(uint64_t key, size_t start);
  size_t start_of(uint64_t key) const;

  config::RateLimits limits_;
  size_t mask_ = 0;
  int shift_ = 0;
  std::unique_ptr<Slot[]> slots_;
  static_assert(std::atomic<uint64_t>::is_always_lock_free);
};

}  // namespace ringgate::admission
