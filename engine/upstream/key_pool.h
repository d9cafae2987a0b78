// KeyPool: the provider keys of one deployment on one shard, by index (the keys themselves live
// in the config; nothing here can log one). Picks round robin among keys that are neither
// cooling down after a 429 nor removed after a 401/403; a reload builds a new pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace ringgate::upstream {

class KeyPool {
 public:
  static constexpr uint32_t kFirstCooldownMs = 1000;  // doubles per 429 in a row
  static constexpr uint32_t kMaxCooldownMs = 60000;

  explicit KeyPool(size_t keys);

  // The next ready key after the last one picked, or nullopt when none is ready now.
  std::optional<size_t> pick(uint64_t now_ms);
  // A 429: cool the key for the upstream's retry-after, or 1 s, 2 s, 4 s ... 60 s without one.
  void rate_limited(size_t i, uint64_t now_ms, std::optional<uint32_t> retry_after_ms);
  // A 401/403: the key is out until the pool is rebuilt.
  void auth_failed(size_t i);
  // Resets the key's default cooldown to its first step.
  void succeeded(size_t i);

  bool all_out() const;                        // every key removed (or the pool is empty)
  uint64_t next_ready_ms(uint64_t now) const;  // now when one is ready; UINT64_MAX when all out
  size_t usable(uint64_t now) const;           // keys ready now
  size_t size() const { return keys_.size(); }
  bool removed(size_t i) const { return keys_.at(i).removed; }

 private:
  struct Key {
    uint64_t ready_at_ms = 0;
    uint32_t strikes = 0;  // 429s since the last success
    bool removed = false;
  };
  bool ready(const Key& k, uint64_t now) const { return !k.removed && now >= k.ready_at_ms; }

  std::vector<Key> keys_;
  size_t next_ = 0;
};

}  // namespace ringgate::upstream
