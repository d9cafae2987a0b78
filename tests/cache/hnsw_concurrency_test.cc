// Readers with one concurrent writer, as in the gateway (shards search, a background thread
// inserts): every result is an id the writer has published, hits are best first and in range.
// Also runs under TSan (tools/test.sh), which checks the lock-free publication protocol.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "cache/hnsw_index.h"
#include "cache/namespaced_index.h"
#include "tests/cache/vector_fixtures.h"

namespace ringgate::cache {
namespace {

using testing::clustered_vectors;

constexpr size_t kDim = 32;
constexpr size_t kReaders = 3;
constexpr size_t kMaxReaderLoops = 200000;  // bound if the writer were to stall

// Checks a result list; returns false on the first broken invariant.
bool valid(const std::vector<SearchHit>& hits, uint64_t published, size_t k) {
  if (hits.size() > k) return false;
  for (size_t i = 0; i < hits.size(); ++i) {
    if (hits[i].id >= published) return false;
    if (!(hits[i].similarity <= 1.001f && hits[i].similarity >= -1.001f)) return false;
    if (i > 0 && hits[i - 1].similarity < hits[i].similarity) return false;
  }
  return true;
}

template <class Search>
void run_readers_against(Search search, const std::vector<std::vector<float>>& queries,
                         const std::atomic<uint64_t>& published, const std::atomic<bool>& done) {
  std::atomic<size_t> bad{0}, empty{0}, searches{0};
  std::vector<std::thread> readers;
  for (size_t r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      for (size_t i = 0; i < kMaxReaderLoops && !done.load(std::memory_order_acquire); ++i) {
        const uint64_t before = published.load(std::memory_order_acquire);
        const auto hits = search(queries[(i + r) % queries.size()]);
        // The node being inserted becomes reachable before insert() returns and `published`
        // counts it, so ids up to (and including) the later count are legitimate.
        if (!valid(hits, published.load(std::memory_order_acquire) + 1, 10)) bad.fetch_add(1);
        if (before > 0 && hits.empty()) empty.fetch_add(1);
        searches.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_EQ(empty.load(), 0u);
  EXPECT_GT(searches.load(), 0u);
}

TEST(HnswConcurrency, ReadersSeeOnlyPublishedNodesWhileOneWriterInserts) {
  const auto data = clustered_vectors(3000, kDim, 20, 21);
  const auto queries = clustered_vectors(64, kDim, 20, 22);
  HnswParams p;
  p.dim = kDim;
  p.capacity = data.size();
  p.ef_construction = 64;
  HnswIndex index(p);
  std::atomic<uint64_t> published{0};
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (size_t i = 0; i < data.size(); ++i) {
      index.insert(i, data[i], 0);
      published.store(i + 1, std::memory_order_release);
      if (i % 5 == 0 && i > 0) index.erase(i - 1);
    }
    done.store(true, std::memory_order_release);
  });
  run_readers_against([&](const auto& q) { return index.search(q, 10, 32, 0); }, queries, published,
                      done);
  writer.join();
  EXPECT_EQ(index.size(), data.size());
}

// Through NamespacedIndex, so readers also race with growth and compaction swaps.
TEST(HnswConcurrency, ReadersSurviveSnapshotSwaps) {
  const auto data = clustered_vectors(3000, kDim, 20, 23);
  const auto queries = clustered_vectors(64, kDim, 20, 24);
  HnswParams p;
  p.dim = kDim;
  p.ef_construction = 64;
  NamespacedLimits limits;
  limits.initial_capacity = 32;
  limits.max_bytes = HnswIndex::bytes_per_slot(p) * 1024 * 3;  // grows, then compacts
  NamespacedIndex index(p, limits);
  const NamespaceKey ns{"tenant", "model", "local"};
  std::atomic<uint64_t> published{0};
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (size_t i = 0; i < data.size(); ++i) {
      EXPECT_EQ(index.insert(ns, i, data[i], 0), InsertResult::kInserted);
      published.store(i + 1, std::memory_order_release);
      if (i % 7 == 0 && i > 0) index.erase(ns, i / 2, 0);  // never the newest
    }
    done.store(true, std::memory_order_release);
  });
  run_readers_against([&](const auto& q) { return index.search(ns, q, 10, 32, 0); }, queries,
                      published, done);
  writer.join();
  EXPECT_LE(index.memory_bytes(), limits.max_bytes);
}

}  // namespace
}  // namespace ringgate::cache
