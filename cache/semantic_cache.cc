// SemanticCache: the id table beside the namespaced index, TTL sweeps and threshold checks.
#include "cache/semantic_cache.h"

#include <algorithm>

namespace ringgate::cache {
namespace {

constexpr size_t kDerivedNamespaces = 64;

HnswParams index_params(const SemanticCacheLimits& limits) {
  HnswParams p = limits.index;
  p.ttl_ms = limits.ttl_ms;
  return p;
}

NamespacedLimits namespaced_limits(const SemanticCacheLimits& limits) {
  NamespacedLimits n;
  n.initial_capacity = std::max<size_t>(limits.initial_capacity, 1);
  n.compact_dead_fraction = limits.compact_dead_fraction;
  // Twice the vectors' slots by default (an index doubles when full, so slots run ahead of
  // entries) plus the starting slots of kDerivedNamespaces namespaces.
  n.max_bytes = limits.max_index_bytes != 0
                    ? limits.max_index_bytes
                    : HnswIndex::bytes_per_slot(index_params(limits)) *
                          (2 * limits.max_vectors + kDerivedNamespaces * n.initial_capacity);
  return n;
}

}  // namespace

SemanticCache::SemanticCache(const SemanticCacheLimits& limits)
    : limits_(limits), index_(index_params(limits), namespaced_limits(limits)) {}

bool SemanticCache::insert(const NamespaceKey& ns, std::span<const float> vector,
                           const CacheKey& answer_key, int64_t now_ms) {
  std::lock_guard writer(writer_mutex_);
  sweep_locked(now_ms);
  if (vector.size() != dim() || index_.entries() >= limits_.max_vectors) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  const uint64_t id = next_id_++;
  const int64_t expires_ms = now_ms + limits_.ttl_ms;
  {
    // In the table before the index: a reader that finds the id in the index finds its entry.
    std::unique_lock lock(entries_mutex_);
    entries_.emplace(id, Entry{ns, answer_key, expires_ms});
  }
  const InsertResult r = index_.insert(ns, id, vector, now_ms);
  if (r != InsertResult::kInserted && r != InsertResult::kReplaced) {
    std::unique_lock lock(entries_mutex_);
    entries_.erase(id);
    refused_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  expiry_.emplace_back(expires_ms, id);
  return true;
}

size_t SemanticCache::sweep(int64_t now_ms) {
  std::lock_guard writer(writer_mutex_);
  return sweep_locked(now_ms);
}

// Oldest first: with one TTL for all, expiry order is insertion order. An id the index already
// dropped (compaction evicts the oldest when the memory bound is reached) just leaves the table.
size_t SemanticCache::sweep_locked(int64_t now_ms) {
  size_t swept = 0;
  while (!expiry_.empty() && expiry_.front().first <= now_ms) {
    const uint64_t id = expiry_.front().second;
    expiry_.pop_front();
    std::unique_lock lock(entries_mutex_);
    const auto it = entries_.find(id);
    if (it == entries_.end()) continue;
    const NamespaceKey ns = std::move(it->second.ns);
    entries_.erase(it);
    lock.unlock();
    index_.erase(ns, id, now_ms);
    ++swept;
  }
  tombstoned_.fetch_add(swept, std::memory_order_relaxed);
  return swept;
}

std::optional<SemanticHit> SemanticCache::lookup(const NamespaceKey& ns,
                                                 std::span<const float> vector, float threshold,
                                                 int64_t now_ms) const {
  lookups_.fetch_add(1, std::memory_order_relaxed);
  if (vector.size() != dim()) return std::nullopt;
  const std::vector<SearchHit> hits = index_.search(ns, vector, 1, 0, now_ms);
  if (hits.empty()) return std::nullopt;
  if (hits.front().similarity < threshold) {
    near_misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  std::shared_lock lock(entries_mutex_);
  const auto it = entries_.find(hits.front().id);
  // The namespace is compared again: an index bug must not become a cross-tenant answer.
  if (it == entries_.end() || it->second.expires_ms <= now_ms || !(it->second.ns == ns)) {
    return std::nullopt;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return SemanticHit{it->second.answer_key, hits.front().similarity};
}

SemanticCacheStats SemanticCache::stats() const {
  SemanticCacheStats s;
  s.entries = index_.entries();
  s.index_bytes = index_.memory_bytes();
  s.namespaces = index_.namespaces();
  s.lookups = lookups_.load(std::memory_order_relaxed);
  s.hits = hits_.load(std::memory_order_relaxed);
  s.near_misses = near_misses_.load(std::memory_order_relaxed);
  s.tombstoned = tombstoned_.load(std::memory_order_relaxed);
  s.refused = refused_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace ringgate::cache
