// NamespacedIndex: one HnswIndex per (tenant, model, embedder), created on demand, under one
// memory bound for all of them. A search in one namespace can never see another's entries: the
// map is keyed by the three strings themselves (hashed field by field with their lengths, and
// compared in full), never by a string concatenated from client input (seed-defect 000-C3).
//
// Concurrency: one writer thread calls insert/erase; any thread calls search. Each namespace
// holds its current index in an atomic shared_ptr; a reader takes the map's shared lock only
// to find the namespace (the writer locks it exclusively only to add a namespace), then
// searches the snapshot with no lock. Growth and compaction build a new snapshot on the writer
// and swap it in; readers still on the old one finish on it and drop it.
//
// Bounds: an index that fills up doubles its capacity while the total stays under max_bytes;
// beyond that it is compacted in place: tombstoned and expired entries go, then the oldest,
// down to 3/4 of its capacity. A new namespace that does not fit is refused (kFull).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "cache/hnsw_index.h"

namespace ringgate::cache {

struct NamespaceKey {
  std::string tenant;
  std::string model;
  std::string embedder;
  bool operator==(const NamespaceKey&) const = default;
};

struct NamespaceKeyHash {
  size_t operator()(const NamespaceKey& key) const;
};

struct NamespacedLimits {
  size_t max_bytes = size_t{256} << 20;  // all namespaces' index slots together
  size_t initial_capacity = 1024;        // elements of a new namespace's index
  double compact_dead_fraction = 0.25;   // rebuild a namespace once this share is tombstoned
};

class NamespacedIndex {
 public:
  // `params.capacity` is ignored; namespaces start at limits.initial_capacity.
  NamespacedIndex(const HnswParams& params, const NamespacedLimits& limits);

  // Writer only.
  InsertResult insert(const NamespaceKey& ns, uint64_t id, std::span<const float> vector,
                      int64_t now_ms);
  bool erase(const NamespaceKey& ns, uint64_t id, int64_t now_ms);

  // Any thread.
  std::vector<SearchHit> search(const NamespaceKey& ns, std::span<const float> query, size_t k,
                                size_t ef, int64_t now_ms) const;
  size_t namespaces() const;
  size_t memory_bytes() const { return total_bytes_.load(std::memory_order_relaxed); }
  size_t entries() const { return total_entries_.load(std::memory_order_relaxed); }

 private:
  struct Slot {
    std::atomic<std::shared_ptr<const HnswIndex>> current;
    std::shared_ptr<HnswIndex> writable;  // the writer's handle on the same index
  };
  std::shared_ptr<Slot> find(const NamespaceKey& ns) const;
  std::shared_ptr<Slot> find_or_create(const NamespaceKey& ns);
  void replace(Slot& slot, std::unique_ptr<HnswIndex> next);
  bool make_room(Slot& slot, int64_t now_ms);

  HnswParams params_;
  NamespacedLimits limits_;
  mutable std::shared_mutex map_mutex_;
  std::unordered_map<NamespaceKey, std::shared_ptr<Slot>, NamespaceKeyHash> slots_;
  std::atomic<size_t> total_bytes_{0};
  std::atomic<size_t> total_entries_{0};
};

}  // namespace ringgate::cache
