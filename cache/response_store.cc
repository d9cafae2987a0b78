#include "cache/response_store.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace ringgate::cache {

ResponseStore::ResponseStore(ResponseStoreLimits limits) : limits_(limits) {}

size_t ResponseStore::KeyHash::operator()(const KeyView& key) const {
  // Hash the two strings separately and mix, so ("ab", "c") and ("a", "bc") differ; equality
  // still compares both strings, the hash only picks the bucket.
  const size_t t = std::hash<std::string_view>{}(key.tenant);
  const size_t r = std::hash<std::string_view>{}(key.response_id);
  return t ^ (r + 0x9e3779b97f4a7c15ULL + (t << 6) + (t >> 2));
}

// In unsigned arithmetic so no pair of clock values can overflow; a clock that went back keeps the
// entry, a TTL of 0 or less keeps nothing past the call that stored it.
bool ResponseStore::expired(const Entry& entry, int64_t now_ms) const {
  if (now_ms < entry.stored_ms) return false;
  const uint64_t age = static_cast<uint64_t>(now_ms) - static_cast<uint64_t>(entry.stored_ms);
  return age >= static_cast<uint64_t>(std::max<int64_t>(limits_.ttl_ms, 0));
}

void ResponseStore::erase(Order::iterator it) {
  index_.erase(KeyView{it->tenant, it->response_id});
  bytes_ -= it->size();
  order_.erase(it);
}

// Makes room for one entry of `incoming_bytes`: expired entries first, then the oldest until both
// bounds hold. The list is in store order and the TTL is one value, so expired ones are in front.
void ResponseStore::evict_for(size_t incoming_bytes, int64_t now_ms) {
  while (!order_.empty() && expired(order_.front(), now_ms)) erase(order_.begin());
  while (!order_.empty() &&
         (order_.size() + 1 > limits_.max_entries || bytes_ + incoming_bytes > limits_.max_bytes)) {
    erase(order_.begin());
  }
}

bool ResponseStore::put(std::string_view tenant, std::string_view response_id, std::string items,
                        int64_t now_ms) {
  const size_t size = tenant.size() + response_id.size() + items.size();
  std::lock_guard lock(mu_);
  if (auto it = index_.find(KeyView{tenant, response_id}); it != index_.end()) erase(it->second);
  if (size > limits_.max_entry_bytes || size > limits_.max_bytes || limits_.max_entries == 0) {
    return false;
  }
  evict_for(size, now_ms);
  order_.push_back(Entry{std::string(tenant), std::string(response_id), std::move(items), now_ms});
  auto last = std::prev(order_.end());
  index_.emplace(KeyView{last->tenant, last->response_id}, last);
  bytes_ += size;
  return true;
}

std::optional<std::string> ResponseStore::get(std::string_view tenant, std::string_view response_id,
                                              int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = index_.find(KeyView{tenant, response_id});
  if (it == index_.end()) return std::nullopt;
  if (expired(*it->second, now_ms)) {
    erase(it->second);
    return std::nullopt;
  }
  return it->second->items;
}

size_t ResponseStore::entries() const {
  std::lock_guard lock(mu_);
  return order_.size();
}

size_t ResponseStore::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace ringgate::cache
