#include "cache/exact_cache.h"

#include <algorithm>
#include <utility>

namespace ringgate::cache {
namespace {

size_t clamp_shards(size_t n) { return std::clamp<size_t>(n, 1, 256); }

}  // namespace

ExactCache::ExactCache(ExactCacheLimits limits)
    : limits_(limits), shard_budget_(limits.max_bytes / clamp_shards(limits.shards)) {
  for (size_t i = 0; i < clamp_shards(limits.shards); ++i)
    shards_.push_back(std::make_unique<Shard>());
}

ExactCache::Shard& ExactCache::shard_for(const CacheKey& key) {
  // The last digest byte: independent of the bytes CacheKeyHash gives the shard's map.
  return *shards_[key.bytes[31] % shards_.size()];
}

void ExactCache::erase_locked(Shard& shard, Lru::iterator it) {
  shard.bytes -= it->bytes;
  shard.index.erase(it->key);
  shard.lru.erase(it);
}

// Drops expired entries from the cold end, then least recently used ones, until `incoming`
// more bytes fit the shard's budget.
void ExactCache::evict_locked(Shard& shard, size_t incoming, int64_t now_ms) {
  while (!shard.lru.empty() && shard.lru.back().expires_ms <= now_ms) {
    erase_locked(shard, std::prev(shard.lru.end()));
    expirations_.fetch_add(1, std::memory_order_relaxed);
  }
  while (!shard.lru.empty() && shard.bytes + incoming > shard_budget_) {
    erase_locked(shard, std::prev(shard.lru.end()));
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
}

bool ExactCache::put(const CacheKey& key, std::string_view scope, StoredAnswer answer,
                     int64_t now_ms, int64_t ttl_ms) {
  const size_t bytes = scope.size() + answer.size() + kEntryOverhead;
  const int64_t ttl = ttl_ms > 0 ? ttl_ms : limits_.default_ttl_ms;
  // Built outside the lock: the only work under it is bookkeeping.
  auto stored = std::make_shared<const StoredAnswer>(std::move(answer));
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  if (auto it = shard.index.find(key); it != shard.index.end()) erase_locked(shard, it->second);
  if (bytes > limits_.max_entry_bytes || bytes > shard_budget_) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  evict_locked(shard, bytes, now_ms);
  shard.lru.push_front(Entry{key, std::string(scope), std::move(stored), now_ms + ttl, bytes});
  shard.index.emplace(key, shard.lru.begin());
  shard.bytes += bytes;
  return true;
}

std::shared_ptr<const StoredAnswer> ExactCache::get(const CacheKey& key, std::string_view scope,
                                                    int64_t now_ms) {
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.index.find(key);
  if (it == shard.index.end() || it->second->scope != scope) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  if (it->second->expires_ms <= now_ms) {
    erase_locked(shard, it->second);
    expirations_.fetch_add(1, std::memory_order_relaxed);
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second->answer;
}

bool ExactCache::erase(const CacheKey& key) {
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.index.find(key);
  if (it == shard.index.end()) return false;
  erase_locked(shard, it->second);
  return true;
}

ExactCacheStats ExactCache::stats() const {
  ExactCacheStats s;
  s.hits = hits_.load(std::memory_order_relaxed);
  s.misses = misses_.load(std::memory_order_relaxed);
  s.evictions = evictions_.load(std::memory_order_relaxed);
  s.expirations = expirations_.load(std::memory_order_relaxed);
  s.refused = refused_.load(std::memory_order_relaxed);
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    s.entries += shard->lru.size();
    s.bytes += shard->bytes;
  }
  return s;
}

}  // namespace ringgate::cache
