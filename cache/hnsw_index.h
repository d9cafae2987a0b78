// HnswIndex: a hierarchical navigable small world graph (Malkov & Yashunin, 2016) over
// L2-normalized float vectors of one fixed dimension, scored by inner product (cosine).
//
// Concurrency: ONE writer thread (insert, erase, compacted, grown) and any number of reader
// threads (search) with no lock at all. Every array is allocated up front for `capacity`
// elements and never moves, so readers never see a reallocation. A node is published by a
// release store of the element count after its vector, label, time and own neighbour lists are
// written; neighbour slots and list sizes are atomics written with release and read with
// acquire, so a reader that reaches a node through a link also sees its data. While the writer
// rewrites a list a reader may see a mix of old and new entries, each of which is a published
// node: the search stays valid, just momentarily less exact.
//
// Bounds: insert into a full index returns kFull; the owner then builds a compacted or grown
// copy (see NamespacedIndex) and swaps it in. Deletion sets a tombstone; searches walk through
// tombstoned and expired nodes (keeping the graph connected) but never return them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

namespace ringgate::cache {

struct HnswParams {
  size_t dim = 384;
  size_t capacity = 1024;  // elements; fixed for the index's lifetime
  size_t m = 16;           // links per node on upper levels; 2*m on level 0
  size_t ef_construction = 200;
  size_t ef_search = 64;   // default ef when search() is given 0
  int64_t ttl_ms = 0;      // 0: entries never expire
  uint64_t seed = 0x5eed;  // level generator, for reproducible graphs
};

struct SearchHit {
  uint64_t id;
  float similarity;  // inner product of the normalized vectors, in [-1, 1]
};

enum class InsertResult { kInserted, kReplaced, kFull, kBadVector };

class HnswIndex {
 public:
  explicit HnswIndex(const HnswParams& params);
  ~HnswIndex();
  HnswIndex(const HnswIndex&) = delete;
  HnswIndex& operator=(const HnswIndex&) = delete;

  // Writer only. `vector` must have dim() finite floats and is normalized on the way in.
  // Re-inserting an id tombstones the old node.
  InsertResult insert(uint64_t id, std::span<const float> vector, int64_t now_ms);
  bool erase(uint64_t id);  // writer only; false if unknown

  // Any thread, lock-free. Best first; at most k live, unexpired hits. ef 0: params().ef_search.
  std::vector<SearchHit> search(std::span<const float> query, size_t k, size_t ef,
                                int64_t now_ms) const;

  // Writer only: a new index with the live, unexpired entries (oldest dropped first so that at
  // most `keep_max` remain), re-inserted in insertion order, with `capacity` slots.
  std::unique_ptr<HnswIndex> compacted(int64_t now_ms, size_t keep_max, size_t capacity) const;
  // Writer only: the same graph copied into `capacity` >= size() slots (no re-insertion).
  std::unique_ptr<HnswIndex> grown(size_t capacity) const;

  size_t size() const { return count_.load(std::memory_order_acquire); }  // nodes incl. dead
  size_t live() const { return size() - dead_; }                          // writer only
  size_t capacity() const { return params_.capacity; }
  size_t dim() const { return params_.dim; }
  double dead_fraction() const;  // writer only: tombstoned / size
  size_t memory_bytes() const { return bytes_per_slot(params_) * params_.capacity; }
  const HnswParams& params() const { return params_; }
  static size_t bytes_per_slot(const HnswParams& params);

 private:
  struct Candidate {
    float sim;
    uint32_t node;
  };
  using Link = std::atomic<uint32_t>;

  // A node's level-0 block: [links: size, 2m ids][inserted ms][dead flag] padded to 64 bytes,
  // then its vector. Scoring a node pulls in the links the search reads next.
  char* block(uint32_t node) const { return blocks_ + size_t{node} * block_bytes_; }
  const float* vec(uint32_t node) const {
    return reinterpret_cast<const float*>(block(node) + header_bytes_);
  }
  float* mutable_vec(uint32_t node) {
    return reinterpret_cast<float*>(block(node) + header_bytes_);
  }
  int64_t& inserted_ms(uint32_t node) const {
    return *reinterpret_cast<int64_t*>(block(node) + time_offset_);
  }
  std::atomic<uint32_t>& dead_flag(uint32_t node) const {
    return *reinterpret_cast<std::atomic<uint32_t>*>(block(node) + time_offset_ + 8);
  }
  Link* links(uint32_t node, int level) const;
  size_t max_links(int level) const { return level == 0 ? 2 * params_.m : params_.m; }
  bool returnable(uint32_t node, int64_t now_ms) const;
  int random_level();
  uint32_t greedy_descend(const float* q, uint32_t entry, int from, int to) const;
  std::vector<Candidate> search_layer(const float* q, uint32_t entry, size_t ef, int level,
                                      const int64_t* live_at) const;
  std::vector<uint32_t> select_neighbours(std::vector<Candidate> candidates, size_t max) const;
  void set_links(uint32_t node, int level, const std::vector<uint32_t>& ids);
  void link_back(uint32_t from, uint32_t to, int level);
  void add_node(uint64_t id, const float* unit, int64_t now_ms);
  void copy_node(const HnswIndex& from, uint32_t node);

  HnswParams params_;
  size_t stride_;        // floats per vector, padded to 64 bytes
  size_t time_offset_;   // of inserted ms in a block; the dead flag follows
  size_t header_bytes_;  // links, time and flag, padded to 64 bytes
  size_t block_bytes_;   // header + vector
  char* blocks_;         // capacity * block_bytes_, 64-byte aligned
  std::unique_ptr<std::unique_ptr<Link[]>[]> upper_;  // per node: levels 1..L, (1 + m) each
  std::unique_ptr<uint64_t[]> labels_;
  std::unique_ptr<uint8_t[]> levels_;
  std::atomic<uint32_t> count_{0};
  std::atomic<uint64_t> entry_{0};  // (max level << 32) | entry node; valid once count_ > 0
  // Writer-only state.
  std::unordered_map<uint64_t, uint32_t> by_label_;
  size_t dead_ = 0;
  uint64_t rng_;
  double level_mult_;
};

// Inner product of two dim-length float arrays; AVX2+FMA when the CPU has it.
float dot_product(const float* a, const float* b, size_t dim);
// Scales `v` to unit length; false (and v untouched) for a zero or non-finite vector.
bool normalize(std::span<float> v);

}  // namespace ringgate::cache
