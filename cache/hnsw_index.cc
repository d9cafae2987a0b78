// HnswIndex: construction (insert with the neighbour-selection heuristic), lock-free search,
// tombstones, compaction and growth. See hnsw_index.h for the concurrency contract.
#include "cache/hnsw_index.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <queue>

namespace ringgate::cache {
namespace {

constexpr int kMaxLevel = 15;
constexpr size_t kFloatsPerLine = 16;  // 64 bytes

// Per-thread visited marks: a node is visited when its mark equals the current epoch, so a
// search clears nothing. Shared by every index a thread searches (epochs never repeat).
struct VisitedMarks {
  std::vector<uint32_t> marks;
  std::vector<uint32_t> batch;  // one neighbour list's unvisited nodes
  uint32_t epoch = 0;
  uint32_t begin(size_t nodes) {
    if (marks.size() < nodes) marks.resize(nodes, 0);
    if (++epoch == 0) {
      std::fill(marks.begin(), marks.end(), 0);
      epoch = 1;
    }
    return epoch;
  }
};
thread_local VisitedMarks tl_visited;

struct ByBest {
  template <class C>
  bool operator()(const C& a, const C& b) const {
    return a.sim < b.sim;
  }
};
struct ByWorst {
  template <class C>
  bool operator()(const C& a, const C& b) const {
    return a.sim > b.sim;
  }
};

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

size_t HnswIndex::bytes_per_slot(const HnswParams& p) {
  const size_t stride = (p.dim + kFloatsPerLine - 1) / kFloatsPerLine * kFloatsPerLine;
  const size_t m = std::max<size_t>(p.m, 2);
  // Upper levels: a node has on average 1/(m-1) of them (levels are geometric with p = 1/m).
  const size_t upper = (1 + m) * 4 / (m - 1);
  const size_t header = (((1 + 2 * m) * 4 + 7) / 8 * 8 + 12 + 63) / 64 * 64;
  const size_t per_node_fixed = 8 /*label*/ + 1 /*level*/ + 8 /*upper ptr*/;
  const size_t by_label = 32;  // unordered_map node, approximately
  return header + stride * 4 + upper + per_node_fixed + by_label;
}

HnswIndex::HnswIndex(const HnswParams& params) : params_(params) {
  params_.dim = std::max<size_t>(params_.dim, 1);
  params_.m = std::max<size_t>(params_.m, 2);
  // Node ids are 32-bit.
  params_.capacity = std::clamp<size_t>(params_.capacity, 1, std::numeric_limits<uint32_t>::max());
  params_.ef_construction = std::max(params_.ef_construction, params_.m);
  params_.ef_search = std::max<size_t>(params_.ef_search, 1);
  stride_ = (params_.dim + kFloatsPerLine - 1) / kFloatsPerLine * kFloatsPerLine;
  const size_t cap = params_.capacity;
  time_offset_ = ((1 + 2 * params_.m) * sizeof(Link) + 7) / 8 * 8;
  header_bytes_ = (time_offset_ + 12 + 63) / 64 * 64;
  block_bytes_ = header_bytes_ + stride_ * sizeof(float);
  blocks_ = static_cast<char*>(::operator new[](cap* block_bytes_, std::align_val_t{64}));
  std::memset(blocks_, 0, cap * block_bytes_);
  for (uint32_t node = 0; node < cap; ++node) {
    Link* list = reinterpret_cast<Link*>(block(node));
    for (size_t i = 0; i <= 2 * params_.m; ++i) new (&list[i]) Link(0);
    new (&dead_flag(node)) std::atomic<uint32_t>(0);
  }
  upper_ = std::make_unique<std::unique_ptr<Link[]>[]>(cap);
  labels_ = std::make_unique<uint64_t[]>(cap);
  levels_ = std::make_unique<uint8_t[]>(cap);
  rng_ = params_.seed;
  level_mult_ = 1.0 / std::log(static_cast<double>(params_.m));
}

HnswIndex::~HnswIndex() { ::operator delete[](blocks_, std::align_val_t{64}); }

HnswIndex::Link* HnswIndex::links(uint32_t node, int level) const {
  if (level == 0) return reinterpret_cast<Link*>(block(node));
  return &upper_[node][size_t(level - 1) * (1 + params_.m)];
}

double HnswIndex::dead_fraction() const {
  const size_t n = size();
  return n == 0 ? 0.0 : static_cast<double>(dead_) / static_cast<double>(n);
}

bool HnswIndex::returnable(uint32_t node, int64_t now_ms) const {
  if (dead_flag(node).load(std::memory_order_acquire) != 0) return false;
  return params_.ttl_ms <= 0 || now_ms - inserted_ms(node) < params_.ttl_ms;
}

int HnswIndex::random_level() {
  const double u = (static_cast<double>(splitmix64(rng_) >> 11) + 1.0) * 0x1.0p-53;
  return std::min(kMaxLevel, static_cast<int>(-std::log(u) * level_mult_));
}

// Walks greedily towards q on each level from `from` down to `to` (inclusive).
uint32_t HnswIndex::greedy_descend(const float* q, uint32_t entry, int from, int to) const {
  float best = dot_product(q, vec(entry), stride_);
  for (int level = from; level >= to; --level) {
    for (bool moved = true; moved;) {
      moved = false;
      const Link* list = links(entry, level);
      const uint32_t n =
          std::min<uint32_t>(list[0].load(std::memory_order_acquire), max_links(level));
      for (uint32_t i = 1; i <= n; ++i) {
        const uint32_t next = list[i].load(std::memory_order_acquire);
        const float sim = dot_product(q, vec(next), stride_);
        if (sim > best) best = sim, entry = next, moved = true;
      }
    }
  }
  return entry;
}

// Best-first search of one level (the paper's SEARCH-LAYER); returns up to ef nodes, best first.
// With `live_at` set, only returnable nodes enter the result set (others are still walked).
std::vector<HnswIndex::Candidate> HnswIndex::search_layer(const float* q, uint32_t entry, size_t ef,
                                                          int level, const int64_t* live_at) const {
  const uint32_t epoch = tl_visited.begin(params_.capacity);
  uint32_t* marks = tl_visited.marks.data();
  if (tl_visited.batch.size() < 2 * params_.m) tl_visited.batch.resize(2 * params_.m);
  uint32_t* batch = tl_visited.batch.data();
  std::vector<Candidate> frontier_store, found_store;
  frontier_store.reserve(2 * ef + 2 * params_.m);
  found_store.reserve(ef + 1);
  std::priority_queue frontier(ByBest{}, std::move(frontier_store));
  std::priority_queue found(ByWorst{}, std::move(found_store));
  const Candidate first{dot_product(q, vec(entry), stride_), entry};
  const auto keep = [&](uint32_t node) { return live_at == nullptr || returnable(node, *live_at); };
  frontier.push(first);
  if (keep(entry)) found.push(first);
  marks[entry] = epoch;
  while (!frontier.empty()) {
    const Candidate c = frontier.top();
    if (found.size() >= ef && c.sim < found.top().sim) break;
    frontier.pop();
    // Gather the unvisited neighbours and prefetch their vectors before scoring any: the
    // loads then overlap instead of each dot product waiting on its own cache miss.
    const Link* list = links(c.node, level);
    const uint32_t n =
        std::min<uint32_t>(list[0].load(std::memory_order_acquire), max_links(level));
    uint32_t* fresh = batch;
    for (uint32_t i = 1; i <= n; ++i) {
      const uint32_t next = list[i].load(std::memory_order_acquire);
      if (marks[next] == epoch) continue;
      marks[next] = epoch;
      *fresh++ = next;
      const char* line = block(next);
      __builtin_prefetch(line);  // links and flag
      __builtin_prefetch(line + header_bytes_);
      __builtin_prefetch(line + header_bytes_ + 64);
    }
    for (const uint32_t* it = batch; it != fresh; ++it) {
      const uint32_t next = *it;
      const float sim = dot_product(q, vec(next), stride_);
      if (found.size() < ef || sim > found.top().sim) {
        frontier.push({sim, next});
        if (!keep(next)) continue;
        found.push({sim, next});
        if (found.size() > ef) found.pop();
      }
    }
  }
  std::vector<Candidate> out(found.size());
  for (size_t i = out.size(); i-- > 0; found.pop()) out[i] = found.top();
  return out;
}

std::vector<SearchHit> HnswIndex::search(std::span<const float> query, size_t k, size_t ef,
                                         int64_t now_ms) const {
  std::vector<SearchHit> hits;
  if (k == 0 || query.size() != params_.dim || size() == 0) return hits;
  alignas(64) float local[1024];
  std::vector<float> heap;
  float* q = local;
  if (stride_ > std::size(local)) heap.resize(stride_), q = heap.data();
  std::fill(q, q + stride_, 0.0f);
  std::copy(query.begin(), query.end(), q);
  if (!normalize(std::span<float>(q, params_.dim))) return hits;
  const uint64_t entry = entry_.load(std::memory_order_acquire);
  const int top = static_cast<int>(entry >> 32);
  uint32_t node = greedy_descend(q, static_cast<uint32_t>(entry), top, 1);
  ef = std::max(ef == 0 ? params_.ef_search : ef, k);
  for (const Candidate& c : search_layer(q, node, ef, 0, &now_ms)) {
    hits.push_back({labels_[c.node], c.sim});
    if (hits.size() == k) break;
  }
  return hits;
}

// The paper's heuristic (algorithm 4): keep a candidate only if it is closer to the new node
// than to every neighbour already kept, which spreads links across clusters.
std::vector<uint32_t> HnswIndex::select_neighbours(std::vector<Candidate> candidates,
                                                   size_t max) const {
  std::sort(candidates.begin(), candidates.end(), ByWorst{});  // best first
  std::vector<uint32_t> kept;
  for (const Candidate& c : candidates) {
    if (kept.size() >= max) break;
    bool diverse = true;
    for (uint32_t k : kept) {
      if (dot_product(vec(c.node), vec(k), stride_) > c.sim) {
        diverse = false;
        break;
      }
    }
    if (diverse) kept.push_back(c.node);
  }
  return kept;
}

// Entries first, then the size, each with release: a reader sees only published nodes.
void HnswIndex::set_links(uint32_t node, int level, const std::vector<uint32_t>& ids) {
  Link* list = links(node, level);
  const size_t n = std::min(ids.size(), max_links(level));
  for (size_t i = 0; i < n; ++i) list[i + 1].store(ids[i], std::memory_order_release);
  list[0].store(static_cast<uint32_t>(n), std::memory_order_release);
}

void HnswIndex::link_back(uint32_t from, uint32_t to, int level) {
  Link* list = links(from, level);
  const uint32_t n = list[0].load(std::memory_order_relaxed);
  if (n < max_links(level)) {
    list[n + 1].store(to, std::memory_order_release);
    list[0].store(n + 1, std::memory_order_release);
    return;
  }
  std::vector<Candidate> candidates;
  candidates.reserve(n + 1);
  candidates.push_back({dot_product(vec(from), vec(to), stride_), to});
  for (uint32_t i = 1; i <= n; ++i) {
    const uint32_t other = list[i].load(std::memory_order_relaxed);
    candidates.push_back({dot_product(vec(from), vec(other), stride_), other});
  }
  set_links(from, level, select_neighbours(std::move(candidates), max_links(level)));
}

// Writes the node at slot size(), links it on each of its levels, publishes it, then links back.
void HnswIndex::add_node(uint64_t id, const float* unit, int64_t now_ms) {
  const uint32_t node = count_.load(std::memory_order_relaxed);
  const int level = random_level();
  std::copy(unit, unit + params_.dim, mutable_vec(node));
  labels_[node] = id;
  inserted_ms(node) = now_ms;
  levels_[node] = static_cast<uint8_t>(level);
  dead_flag(node).store(0, std::memory_order_relaxed);
  if (level > 0) upper_[node] = std::make_unique<Link[]>(size_t(level) * (1 + params_.m));
  by_label_[id] = node;
  if (node == 0) {
    entry_.store(uint64_t(level) << 32, std::memory_order_release);
    count_.store(1, std::memory_order_release);
    return;
  }
  const uint64_t entry = entry_.load(std::memory_order_relaxed);
  const int top = static_cast<int>(entry >> 32);
  const float* q = vec(node);
  uint32_t ep = greedy_descend(q, static_cast<uint32_t>(entry), top, level + 1);
  std::vector<std::vector<uint32_t>> chosen(size_t(std::min(level, top)) + 1);
  for (int l = std::min(level, top); l >= 0; --l) {
    std::vector<Candidate> found = search_layer(q, ep, params_.ef_construction, l, nullptr);
    ep = found.front().node;
    chosen[l] = select_neighbours(std::move(found), params_.m);
    set_links(node, l, chosen[l]);
  }
  count_.store(node + 1, std::memory_order_release);
  for (int l = 0; l < static_cast<int>(chosen.size()); ++l) {
    for (uint32_t other : chosen[l]) link_back(other, node, l);
  }
  if (level > top) entry_.store((uint64_t(level) << 32) | node, std::memory_order_release);
}

InsertResult HnswIndex::insert(uint64_t id, std::span<const float> vector, int64_t now_ms) {
  if (vector.size() != params_.dim) return InsertResult::kBadVector;
  std::vector<float> unit(vector.begin(), vector.end());
  if (!normalize(unit)) return InsertResult::kBadVector;
  if (size() >= params_.capacity) return InsertResult::kFull;
  const bool replaced = erase(id);
  add_node(id, unit.data(), now_ms);
  return replaced ? InsertResult::kReplaced : InsertResult::kInserted;
}

bool HnswIndex::erase(uint64_t id) {
  const auto it = by_label_.find(id);
  if (it == by_label_.end()) return false;
  dead_flag(it->second).store(1, std::memory_order_release);
  by_label_.erase(it);
  ++dead_;
  return true;
}

std::unique_ptr<HnswIndex> HnswIndex::compacted(int64_t now_ms, size_t keep_max,
                                                size_t capacity) const {
  std::vector<uint32_t> keep;
  for (uint32_t node = 0; node < size(); ++node) {
    if (returnable(node, now_ms)) keep.push_back(node);
  }
  keep_max = std::min(keep_max, capacity);
  const size_t skip = keep.size() > keep_max ? keep.size() - keep_max : 0;  // oldest first
  HnswParams params = params_;
  params.capacity = capacity;
  params.seed = rng_;
  auto out = std::make_unique<HnswIndex>(params);
  for (size_t i = skip; i < keep.size(); ++i) {
    out->add_node(labels_[keep[i]], vec(keep[i]), inserted_ms(keep[i]));
  }
  return out;
}

void HnswIndex::copy_node(const HnswIndex& from, uint32_t node) {
  std::copy(from.vec(node), from.vec(node) + stride_, mutable_vec(node));
  labels_[node] = from.labels_[node];
  inserted_ms(node) = from.inserted_ms(node);
  levels_[node] = from.levels_[node];
  dead_flag(node).store(from.dead_flag(node).load(std::memory_order_relaxed),
                        std::memory_order_relaxed);
  const int level = levels_[node];
  if (level > 0) upper_[node] = std::make_unique<Link[]>(size_t(level) * (1 + params_.m));
  for (int l = 0; l <= level; ++l) {
    const Link* src = from.links(node, l);
    Link* dst = links(node, l);
    for (size_t i = 0; i <= max_links(l); ++i)
      dst[i].store(src[i].load(std::memory_order_relaxed), std::memory_order_relaxed);
  }
}

std::unique_ptr<HnswIndex> HnswIndex::grown(size_t capacity) const {
  HnswParams params = params_;
  params.capacity = std::max(capacity, size());
  auto out = std::make_unique<HnswIndex>(params);
  for (uint32_t node = 0; node < size(); ++node) out->copy_node(*this, node);
  out->by_label_ = by_label_;
  out->dead_ = dead_;
  out->rng_ = rng_;
  out->entry_.store(entry_.load(std::memory_order_relaxed), std::memory_order_relaxed);
  out->count_.store(count_.load(std::memory_order_relaxed), std::memory_order_release);
  return out;
}

}  // namespace ringgate::cache
