// ResponseStore driven by a byte string of operations and checked against a naive model of the
// same policy (a vector in store order): every get answers what the model answers, and the byte
// and entry bounds always hold. Each operation is 3 bytes: op/key, clock step, item length.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "cache/response_store.h"

namespace {

using ringgate::cache::ResponseStore;
using ringgate::cache::ResponseStoreLimits;

struct ModelEntry {
  std::string tenant, id, items;
  int64_t stored_ms;
  size_t size() const { return tenant.size() + id.size() + items.size(); }
};

class Model {
 public:
  explicit Model(ResponseStoreLimits limits) : limits_(limits) {}

  bool put(const std::string& tenant, const std::string& id, const std::string& items,
           int64_t now) {
    erase(tenant, id);
    ModelEntry entry{tenant, id, items, now};
    if (entry.size() > limits_.max_entry_bytes || entry.size() > limits_.max_bytes) return false;
    while (!entries_.empty() && expired(entries_.front(), now)) entries_.erase(entries_.begin());
    while (!entries_.empty() && (entries_.size() + 1 > limits_.max_entries ||
                                 bytes() + entry.size() > limits_.max_bytes)) {
      entries_.erase(entries_.begin());
    }
    entries_.push_back(entry);
    return true;
  }

  std::optional<std::string> get(const std::string& tenant, const std::string& id, int64_t now) {
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].tenant != tenant || entries_[i].id != id) continue;
      if (expired(entries_[i], now)) {
        entries_.erase(entries_.begin() + static_cast<ptrdiff_t>(i));
        return std::nullopt;
      }
      return entries_[i].items;
    }
    return std::nullopt;
  }

  size_t bytes() const {
    size_t total = 0;
    for (const ModelEntry& e : entries_) total += e.size();
    return total;
  }
  size_t size() const { return entries_.size(); }

 private:
  bool expired(const ModelEntry& e, int64_t now) const {
    return now >= e.stored_ms && now - e.stored_ms >= limits_.ttl_ms;
  }
  void erase(const std::string& tenant, const std::string& id) {
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].tenant == tenant && entries_[i].id == id) {
        entries_.erase(entries_.begin() + static_cast<ptrdiff_t>(i));
        return;
      }
    }
  }
  ResponseStoreLimits limits_;
  std::vector<ModelEntry> entries_;
};

// Tenants and ids that split the same characters differently, so a key built by concatenation
// would collide.
const char* const kTenants[] = {"a", "ab", "", "a\037"};
const char* const kIds[] = {"b", "", "bc", "\037b", "resp_1"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ResponseStoreLimits limits;
  limits.max_bytes = 200;
  limits.max_entries = 6;
  limits.ttl_ms = 50;
  limits.max_entry_bytes = 120;
  ResponseStore store(limits);
  Model model(limits);
  int64_t now = 0;
  for (size_t i = 0; i + 3 <= size; i += 3) {
    const uint8_t op = data[i];
    now += static_cast<int8_t>(data[i + 1]);  // the clock may go back
    const std::string tenant = kTenants[(op >> 1) % 4];
    const std::string id = kIds[(op >> 3) % 5];
    if (op & 1) {
      const std::string items(data[i + 2], static_cast<char>('0' + op % 10));
      if (store.put(tenant, id, items, now) != model.put(tenant, id, items, now)) std::abort();
    } else if (store.get(tenant, id, now) != model.get(tenant, id, now)) {
      std::abort();
    }
    if (store.bytes() != model.bytes() || store.entries() != model.size()) std::abort();
    if (store.bytes() > limits.max_bytes || store.entries() > limits.max_entries) std::abort();
  }
  return 0;
}
