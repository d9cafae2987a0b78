// NamespacedIndex: namespace lookup, growth and compaction under the shared memory bound.
#include "cache/namespaced_index.h"

#include <functional>
#include <limits>
#include <mutex>
#include <string_view>

namespace ringgate::cache {
namespace {

size_t mix(size_t h, size_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

}  // namespace

// Each field and its length go in separately, so ("ab","c") and ("a","bc") hash apart; equal
// hashes are still told apart by operator==, which compares the strings.
size_t NamespaceKeyHash::operator()(const NamespaceKey& key) const {
  const std::hash<std::string_view> h;
  size_t out = 0;
  for (const std::string* field : {&key.tenant, &key.model, &key.embedder}) {
    out = mix(out, field->size());
    out = mix(out, h(*field));
  }
  return out;
}

NamespacedIndex::NamespacedIndex(const HnswParams& params, const NamespacedLimits& limits)
    : params_(params), limits_(limits) {
  params_.capacity = std::max<size_t>(limits_.initial_capacity, 1);
}

std::shared_ptr<NamespacedIndex::Slot> NamespacedIndex::find(const NamespaceKey& ns) const {
  std::shared_lock lock(map_mutex_);
  const auto it = slots_.find(ns);
  return it == slots_.end() ? nullptr : it->second;
}

std::shared_ptr<NamespacedIndex::Slot> NamespacedIndex::find_or_create(const NamespaceKey& ns) {
  if (auto slot = find(ns)) return slot;
  const size_t bytes = HnswIndex::bytes_per_slot(params_) * params_.capacity;
  if (memory_bytes() + bytes > limits_.max_bytes) return nullptr;
  auto slot = std::make_shared<Slot>();
  slot->writable = std::make_shared<HnswIndex>(params_);
  slot->current.store(slot->writable, std::memory_order_release);
  total_bytes_.fetch_add(slot->writable->memory_bytes(), std::memory_order_relaxed);
  std::unique_lock lock(map_mutex_);
  slots_.emplace(ns, slot);
  return slot;
}

void NamespacedIndex::replace(Slot& slot, std::unique_ptr<HnswIndex> next) {
  total_bytes_.fetch_sub(slot.writable->memory_bytes(), std::memory_order_relaxed);
  total_entries_.fetch_sub(slot.writable->live(), std::memory_order_relaxed);
  total_bytes_.fetch_add(next->memory_bytes(), std::memory_order_relaxed);
  total_entries_.fetch_add(next->live(), std::memory_order_relaxed);
  slot.writable = std::shared_ptr<HnswIndex>(std::move(next));
  slot.current.store(slot.writable, std::memory_order_release);
}

// The slot's index is full: double it if the budget allows, else compact it in place (dead,
// expired, then oldest entries go, down to 3/4 of its capacity). False if nothing was freed.
bool NamespacedIndex::make_room(Slot& slot, int64_t now_ms) {
  const HnswIndex& index = *slot.writable;
  const size_t cap = index.capacity();
  const size_t grown_bytes = HnswIndex::bytes_per_slot(index.params()) * cap * 2;
  const size_t others = memory_bytes() - index.memory_bytes();
  if (others + grown_bytes <= limits_.max_bytes) {
    if (index.dead_fraction() >= limits_.compact_dead_fraction) {
      replace(slot, index.compacted(now_ms, std::numeric_limits<size_t>::max(), cap * 2));
    } else {
      replace(slot, index.grown(cap * 2));
    }
    return true;
  }
  replace(slot, index.compacted(now_ms, cap * 3 / 4, cap));
  return slot.writable->size() < cap;
}

InsertResult NamespacedIndex::insert(const NamespaceKey& ns, uint64_t id,
                                     std::span<const float> vector, int64_t now_ms) {
  const std::shared_ptr<Slot> slot = find_or_create(ns);
  if (!slot) return InsertResult::kFull;
  const size_t live_before = slot->writable->live();
  InsertResult result = slot->writable->insert(id, vector, now_ms);
  if (result == InsertResult::kFull && make_room(*slot, now_ms)) {
    const size_t live_after_room = slot->writable->live();
    result = slot->writable->insert(id, vector, now_ms);
    total_entries_.fetch_add(slot->writable->live() - live_after_room, std::memory_order_relaxed);
    return result;
  }
  total_entries_.fetch_add(slot->writable->live() - live_before, std::memory_order_relaxed);
  return result;
}

bool NamespacedIndex::erase(const NamespaceKey& ns, uint64_t id, int64_t now_ms) {
  const std::shared_ptr<Slot> slot = find(ns);
  if (!slot || !slot->writable->erase(id)) return false;
  total_entries_.fetch_sub(1, std::memory_order_relaxed);
  HnswIndex& index = *slot->writable;
  if (index.size() >= 64 && index.dead_fraction() >= limits_.compact_dead_fraction) {
    replace(*slot, index.compacted(now_ms, std::numeric_limits<size_t>::max(), index.capacity()));
  }
  return true;
}

std::vector<SearchHit> NamespacedIndex::search(const NamespaceKey& ns, std::span<const float> query,
                                               size_t k, size_t ef, int64_t now_ms) const {
  const std::shared_ptr<Slot> slot = find(ns);
  if (!slot) return {};
  const std::shared_ptr<const HnswIndex> index = slot->current.load(std::memory_order_acquire);
  return index->search(query, k, ef, now_ms);
}

size_t NamespacedIndex::namespaces() const {
  std::shared_lock lock(map_mutex_);
  return slots_.size();
}

}  // namespace ringgate::cache
