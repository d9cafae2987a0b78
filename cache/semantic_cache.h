// SemanticCache: the node-wide semantic cache. A prompt's embedding finds an earlier prompt's
// answer when the two vectors are similar enough. It stores no answers itself: each vector points
// at the exact cache's key (CacheKey) of the answer that was stored for its prompt, so a semantic
// hit is replayed from cache/exact_cache like an exact hit (and an answer the exact cache has
// evicted or expired is simply a miss).
//
// Namespaces: one per (tenant scope, canonical model, embedder name), on NamespacedIndex, keyed by
// the three strings themselves (never a concatenation), and every hit's stored namespace is
// compared again before it is returned: a hostile model name with separators cannot reach
// another tenant's or model's vectors (seed-defect 000-C3).
//
// Thresholds: the caller passes the threshold of the request's model and embedder (000-M4); the
// best match counts only when its similarity is >= the threshold: a near miss is a miss.
//
// Concurrency: lookup() from any thread (every shard) at once, lock-free in the index and under a
// shared lock on the id table. insert() and sweep() take one writer mutex, so any thread may call
// them, but an insertion costs an HNSW insert (hundreds of microseconds at ef_construction 200):
// the engine calls them off the shard (the embedder's worker or a thread of its own).
//
// TTL: every entry lives ttl_ms; an expired entry is never returned (the index skips it), and the
// writer tombstones expired entries (oldest first, as TTLs are uniform) on each insert and on
// sweep(); NamespacedIndex rebuilds a namespace once its tombstones pass compact_dead_fraction.
// Memory: at most max_vectors entries across all namespaces (insert sweeps, then refuses), and
// the indexes' slots under max_index_bytes.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <unordered_map>

#include "cache/canonical_request.h"
#include "cache/namespaced_index.h"

namespace ringgate::cache {

struct SemanticCacheLimits {
  HnswParams index;  // dim, m, ef_construction, ef_search; capacity and ttl_ms are set from below
  int64_t ttl_ms = 3600000;
  size_t max_vectors = 100000;  // entries across all namespaces
  size_t max_index_bytes = 0;   // 0: twice max_vectors' slots + 64 new namespaces'
  size_t initial_capacity = 256;
  double compact_dead_fraction = 0.25;
};

struct SemanticHit {
  CacheKey answer_key;  // look it up in the exact cache under the same tenant scope
  float similarity;
};

struct SemanticCacheStats {
  size_t entries = 0;      // live entries (inserted, not yet tombstoned)
  size_t index_bytes = 0;  // slots of every namespace's index
  size_t namespaces = 0;
  uint64_t lookups = 0;
  uint64_t hits = 0;
  uint64_t near_misses = 0;  // a best match below the threshold
  uint64_t tombstoned = 0;   // entries erased for their TTL, since start
  uint64_t refused = 0;      // inserts refused: full, or a bad vector
};

class SemanticCache {
 public:
  explicit SemanticCache(const SemanticCacheLimits& limits);
  SemanticCache(const SemanticCache&) = delete;
  SemanticCache& operator=(const SemanticCache&) = delete;

  // Writer (serialized by a mutex). `vector` has dim() floats. False when refused.
  bool insert(const NamespaceKey& ns, std::span<const float> vector, const CacheKey& answer_key,
              int64_t now_ms);
  // Writer: tombstones the entries expired at now_ms. Returns how many.
  size_t sweep(int64_t now_ms);

  // Any thread. The best live match in `ns` when its similarity is >= threshold.
  std::optional<SemanticHit> lookup(const NamespaceKey& ns, std::span<const float> vector,
                                    float threshold, int64_t now_ms) const;

  SemanticCacheStats stats() const;
  size_t dim() const { return limits_.index.dim; }

 private:
  struct Entry {
    NamespaceKey ns;
    CacheKey answer_key;
    int64_t expires_ms;
  };
  size_t sweep_locked(int64_t now_ms);

  SemanticCacheLimits limits_;
  NamespacedIndex index_;
  std::mutex writer_mutex_;
  uint64_t next_id_ = 1;                             // writer only
  std::deque<std::pair<int64_t, uint64_t>> expiry_;  // writer only: (expires_ms, id), ascending
  mutable std::shared_mutex entries_mutex_;
  std::unordered_map<uint64_t, Entry> entries_;
  mutable std::atomic<uint64_t> lookups_{0}, hits_{0}, near_misses_{0};
  std::atomic<uint64_t> tombstoned_{0}, refused_{0};
};

}  // namespace ringgate::cache
