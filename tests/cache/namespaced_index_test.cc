// NamespacedIndex: isolation between (tenant, model, embedder) tuples including hostile
// strings, growth, the shared memory bound with oldest-first eviction, and erase/compaction.
#include "cache/namespaced_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/cache/vector_fixtures.h"

namespace ringgate::cache {
namespace {

using testing::clustered_vectors;

constexpr size_t kDim = 32;

HnswParams small_params() {
  HnswParams p;
  p.dim = kDim;
  p.m = 8;
  p.ef_construction = 64;
  return p;
}

TEST(NamespacedIndex, KeyHashSeparatesFieldBoundaries) {
  const NamespaceKeyHash h;
  EXPECT_NE(h({"ab", "c", "e"}), h({"a", "bc", "e"}));
  EXPECT_NE(h({"", "ab", "e"}), h({"ab", "", "e"}));
  EXPECT_FALSE((NamespaceKey{"ab", "c", "e"} == NamespaceKey{"a", "bc", "e"}));
}

// The same vectors go into hostile look-alike namespaces under different ids; each namespace
// must answer only with its own ids.
TEST(NamespacedIndex, SearchesNeverCrossNamespaces) {
  const std::vector<NamespaceKey> keys = {
      {"ab", "c", "local"},
      {"a", "bc", "local"},
      {std::string("a\0b", 3), "m", "local"},
      {"a", "m", "local"},
      {"a", std::string("m\0", 2), "local"},
      {"a", "m", "remote"},
      {"a|m", "", "local"},
      {"a", "|m", "local"},
  };
  NamespacedIndex index(small_params(), {});
  const auto data = clustered_vectors(50, kDim, 3, 11);
  for (size_t k = 0; k < keys.size(); ++k) {
    for (size_t i = 0; i < data.size(); ++i) {
      ASSERT_EQ(index.insert(keys[k], k * 1000 + i, data[i], 0), InsertResult::kInserted);
    }
  }
  EXPECT_EQ(index.namespaces(), keys.size());
  for (size_t k = 0; k < keys.size(); ++k) {
    for (size_t i = 0; i < data.size(); i += 7) {
      const auto hits = index.search(keys[k], data[i], 50, 64, 0);
      ASSERT_FALSE(hits.empty());
      for (const SearchHit& h : hits) EXPECT_EQ(h.id / 1000, k) << "namespace " << k;
    }
  }
  EXPECT_TRUE(index.search({"b", "c", "local"}, data[0], 5, 0, 0).empty());
}

TEST(NamespacedIndex, GrowsWhileTheBudgetAllows) {
  NamespacedLimits limits;
  limits.initial_capacity = 16;
  NamespacedIndex index(small_params(), limits);
  const auto data = clustered_vectors(300, kDim, 5, 12);
  const NamespaceKey ns{"t", "m", "e"};
  for (size_t i = 0; i < data.size(); ++i)
    ASSERT_EQ(index.insert(ns, i, data[i], 0), InsertResult::kInserted);
  EXPECT_EQ(index.entries(), 300u);
  for (size_t i = 0; i < data.size(); i += 10)
    EXPECT_EQ(index.search(ns, data[i], 1, 64, 0).at(0).id, i);
}

TEST(NamespacedIndex, MemoryBoundEvictsOldestAndRefusesNewNamespaces) {
  NamespacedLimits limits;
  limits.initial_capacity = 64;
  const size_t slot = HnswIndex::bytes_per_slot([] {
    HnswParams p = small_params();
    return p;
  }());
  limits.max_bytes = slot * 64 * 3;  // room for a 128-slot index plus a 64-slot one, no more
  NamespacedIndex index(small_params(), limits);
  const auto data = clustered_vectors(1000, kDim, 10, 13);
  const NamespaceKey ns{"t", "m", "e"};
  for (size_t i = 0; i < data.size(); ++i) {
    ASSERT_EQ(index.insert(ns, i, data[i], 0), InsertResult::kInserted) << i;
    ASSERT_LE(index.memory_bytes(), limits.max_bytes);
  }
  EXPECT_LE(index.entries(), 128u);
  EXPECT_EQ(index.search(ns, data[999], 1, 64, 0).at(0).id, 999u);  // newest kept
  for (const SearchHit& h : index.search(ns, data[0], 128, 256, 0)) EXPECT_GE(h.id, 800u);
  ASSERT_EQ(index.insert({"t2", "m", "e"}, 1, data[0], 0), InsertResult::kInserted);  // 64 fit
  EXPECT_EQ(index.insert({"t3", "m", "e"}, 1, data[0], 0), InsertResult::kFull);  // budget spent
  EXPECT_LE(index.memory_bytes(), limits.max_bytes);
}

TEST(NamespacedIndex, EraseHidesEntriesAndCompacts) {
  NamespacedLimits limits;
  limits.initial_capacity = 256;
  limits.compact_dead_fraction = 0.25;
  NamespacedIndex index(small_params(), limits);
  const auto data = clustered_vectors(200, kDim, 4, 14);
  const NamespaceKey ns{"t", "m", "e"};
  for (size_t i = 0; i < data.size(); ++i) index.insert(ns, i, data[i], 0);
  for (size_t i = 0; i < 100; ++i) ASSERT_TRUE(index.erase(ns, i, 0));
  EXPECT_FALSE(index.erase(ns, 0, 0));
  EXPECT_FALSE(index.erase({"x", "m", "e"}, 150, 0));
  EXPECT_EQ(index.entries(), 100u);
  for (size_t i = 0; i < 100; i += 5) {
    for (const SearchHit& h : index.search(ns, data[i], 10, 64, 0)) EXPECT_GE(h.id, 100u);
  }
}

}  // namespace
}  // namespace ringgate::cache
