// The node-wide store behind the Responses API's `previous_response_id`: the conversation items of
// recent responses, kept per tenant so a follow-up request can name its predecessor instead of
// resending the history. Pure data structure (no I/O, no clock: callers pass now_ms).
//
// Bounded three ways: a TTL per entry, a total byte budget and an entry count; past either bound
// the oldest entries (by time stored) go first. An entry bigger than max_entry_bytes is refused.
//
// Isolation: entries are keyed by a hash of (tenant, response id) AND both strings are compared
// on lookup, so a tenant never reads another tenant's entry even with the right id, and no key is
// ever a string concatenated from client input (seed-defect 000-C3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ringgate::cache {

struct ResponseStoreLimits {
  size_t max_bytes = 64 << 20;  // tenant + id + items, summed over entries
  size_t max_entries = 100000;
  int64_t ttl_ms = 3600000;          // an entry older than this is gone
  size_t max_entry_bytes = 4 << 20;  // one entry's tenant + id + items
};

class ResponseStore {
 public:
  explicit ResponseStore(ResponseStoreLimits limits);
  ResponseStore(const ResponseStore&) = delete;
  ResponseStore& operator=(const ResponseStore&) = delete;

  // Keeps `items` (a JSON array text of Responses items: the conversation up to and including
  // this response's output) under (tenant, response_id), replacing an entry with the same key.
  // Too big an entry is not kept (returns false; an older entry under the key is dropped, so a
  // stale conversation is never served). Evicts the oldest entries past max_bytes / max_entries.
  bool put(std::string_view tenant, std::string_view response_id, std::string items,
           int64_t now_ms);

  // The items, or nullopt when absent, expired or another tenant's.
  std::optional<std::string> get(std::string_view tenant, std::string_view response_id,
                                 int64_t now_ms);

  size_t entries() const;
  size_t bytes() const;

 private:
  struct Entry {
    std::string tenant;
    std::string response_id;
    std::string items;
    int64_t stored_ms;
    size_t size() const { return tenant.size() + response_id.size() + items.size(); }
  };
  using Order = std::list<Entry>;  // oldest first; nodes never move, so keys may view into them

  struct KeyView {
    std::string_view tenant;
    std::string_view response_id;
    bool operator==(const KeyView&) const = default;  // both strings, never the hash alone
  };
  struct KeyHash {
    size_t operator()(const KeyView& key) const;
  };

  bool expired(const Entry& entry, int64_t now_ms) const;
  void erase(Order::iterator it);
  void evict_for(size_t incoming_bytes, int64_t now_ms);

  const ResponseStoreLimits limits_;
  // One mutex, not shards: the store is touched once per Responses request (one get, one put),
  // off the streaming byte path, and each critical section is a hash lookup plus a string copy.
  // A single lock keeps the global oldest-first eviction order exact, which shards would not.
  mutable std::mutex mu_;
  Order order_;
  std::unordered_map<KeyView, Order::iterator, KeyHash> index_;
  size_t bytes_ = 0;
};

}  // namespace ringgate::cache
