#include "engine/upstream/key_pool.h"

#include <algorithm>
#include <limits>

namespace ringgate::upstream {

KeyPool::KeyPool(size_t keys) : keys_(keys) {}

std::optional<size_t> KeyPool::pick(uint64_t now_ms) {
  const size_t n = keys_.size();
  for (size_t step = 0; step < n; ++step) {
    const size_t i = (next_ + step) % n;
    if (!ready(keys_[i], now_ms)) continue;
    next_ = (i + 1) % n;
    return i;
  }
  return std::nullopt;
}

void KeyPool::rate_limited(size_t i, uint64_t now_ms, std::optional<uint32_t> retry_after_ms) {
  if (i >= keys_.size()) return;
  Key& k = keys_[i];
  const uint32_t shift = std::min<uint32_t>(k.strikes, 16);
  const uint64_t fallback = std::min<uint64_t>(uint64_t{kFirstCooldownMs} << shift, kMaxCooldownMs);
  k.ready_at_ms = std::max(k.ready_at_ms, now_ms + retry_after_ms.value_or(fallback));
  k.strikes += k.strikes < std::numeric_limits<uint32_t>::max();
}

void KeyPool::auth_failed(size_t i) {
  if (i < keys_.size()) keys_[i].removed = true;
}

void KeyPool::succeeded(size_t i) {
  if (i < keys_.size()) keys_[i].strikes = 0;
}

bool KeyPool::all_out() const {
  return std::all_of(keys_.begin(), keys_.end(), [](const Key& k) { return k.removed; });
}

uint64_t KeyPool::next_ready_ms(uint64_t now) const {
  uint64_t soonest = std::numeric_limits<uint64_t>::max();
  for (const Key& k : keys_)
    if (!k.removed) soonest = std::min(soonest, std::max(now, k.ready_at_ms));
  return soonest;
}

size_t KeyPool::usable(uint64_t now) const {
  return static_cast<size_t>(
      std::count_if(keys_.begin(), keys_.end(), [&](const Key& k) { return ready(k, now); }));
}

}  // namespace ringgate::upstream
