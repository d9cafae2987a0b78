// The exact cache's node-wide store: CacheKey -> a complete stored answer. Thread-safe: every
// shard thread looks up and fills. Pure data structure (no I/O, no clock: callers pass now_ms).
//
// Sharded: the key is a uniform digest, so its last byte picks one of N independent shards,
// each with its own mutex, LRU list and share of the byte budget (max_bytes / N). A hit moves the
// entry to its shard's front, so every lookup takes the shard's lock exclusively; the critical
// section is a hash lookup and a list splice, and the answer is handed out as a shared_ptr, never
// copied under the lock.
//
// Bounds: a TTL per entry (the caller's, or the default), a per-entry size cap (a bigger answer is
// not kept), and the byte budget with least-recently-used eviction. LRU over CLOCK: the lock is
// taken anyway, and LRU keeps a hot answer under churn from one-off prompts.
//
// Isolation: the key already hashes the scope in, and the scope is also stored and compared on
// lookup, so even a digest collision cannot cross tenants (seed-defect 000-C3).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cache/canonical_request.h"

namespace ringgate::cache {

// The API shape the stored body is in (always the complete, non-streaming form).
enum class StoredShape : uint8_t { kOpenAiChat, kAnthropicMessages };

struct StoredAnswer {
  StoredShape shape = StoredShape::kOpenAiChat;
  std::string model;  // the model that answered, as the upstream named it
  std::string body;   // the complete response body, JSON text
  uint64_t prompt_tokens = 0;
  uint64_t completion_tokens = 0;
  int64_t created_ms = 0;  // when the answer was stored
  size_t size() const { return model.size() + body.size(); }
};

struct ExactCacheLimits {
  size_t max_bytes = 256 << 20;      // summed over entries (scope + answer + fixed overhead)
  size_t max_entry_bytes = 4 << 20;  // one entry; a bigger one is not kept
  int64_t default_ttl_ms = 3600000;
  size_t shards = 16;  // rounded to [1, 256]
};

struct ExactCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;     // absent, expired or another scope's
  uint64_t evictions = 0;  // for the byte budget (expired entries do not count)
  uint64_t expirations = 0;
  uint64_t refused = 0;  // too big to keep
  size_t entries = 0;
  size_t bytes = 0;
};

class ExactCache {
 public:
  // The bookkeeping an entry costs on top of its strings (list node, map slot, shared_ptr block).
  static constexpr size_t kEntryOverhead = 160;

  explicit ExactCache(ExactCacheLimits limits);
  ExactCache(const ExactCache&) = delete;
  ExactCache& operator=(const ExactCache&) = delete;

  // Keeps the answer under (key, scope) for ttl_ms (<= 0: the default), replacing an older one.
  // False when too big (an older entry under the key is then dropped, so it is never stale).
  bool put(const CacheKey& key, std::string_view scope, StoredAnswer answer, int64_t now_ms,
           int64_t ttl_ms = 0);

  // The answer, or null when absent, expired or stored under another scope.
  std::shared_ptr<const StoredAnswer> get(const CacheKey& key, std::string_view scope,
                                          int64_t now_ms);

  bool erase(const CacheKey& key);
  ExactCacheStats stats() const;

 private:
  struct Entry {
    CacheKey key;
    std::string scope;
    std::shared_ptr<const StoredAnswer> answer;
    int64_t expires_ms;
    size_t bytes;
  };
  using Lru = std::list<Entry>;  // most recently used first
  struct Shard {
    mutable std::mutex mu;
    Lru lru;
    std::unordered_map<CacheKey, Lru::iterator, CacheKeyHash> index;
    size_t bytes = 0;
  };

  Shard& shard_for(const CacheKey& key);
  void erase_locked(Shard& shard, Lru::iterator it);
  void evict_locked(Shard& shard, size_t incoming, int64_t now_ms);

  const ExactCacheLimits limits_;
  const size_t shard_budget_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> hits_{0}, misses_{0}, evictions_{0}, expirations_{0}, refused_{0};
};

}  // namespace ringgate::cache
