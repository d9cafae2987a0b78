// HnswIndex on one thread: recall against brute force, tombstones, compaction, growth, TTL,
// the capacity bound and bad input.
#include "cache/hnsw_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "tests/cache/vector_fixtures.h"

namespace ringgate::cache {
namespace {

using testing::brute_force;
using testing::clustered_vectors;
using testing::recall;

constexpr size_t kDim = 96;

HnswParams params_for(size_t capacity) {
  HnswParams p;
  p.dim = kDim;
  p.capacity = capacity;
  return p;
}

std::unique_ptr<HnswIndex> build(const std::vector<std::vector<float>>& data, size_t capacity) {
  auto index = std::make_unique<HnswIndex>(params_for(capacity));
  for (size_t i = 0; i < data.size(); ++i) {
    EXPECT_EQ(index->insert(i, data[i], 0), InsertResult::kInserted);
  }
  return index;
}

// The last `queries` vectors, drawn from the same clusters as the data, become the queries.
std::pair<std::vector<std::vector<float>>, std::vector<std::vector<float>>> split_queries(
    std::vector<std::vector<float>> all, size_t queries) {
  std::vector<std::vector<float>> tail(all.end() - queries, all.end());
  all.resize(all.size() - queries);
  return {std::move(all), std::move(tail)};
}

double mean_recall(const HnswIndex& index, const std::vector<std::vector<float>>& data,
                   const std::vector<std::vector<float>>& queries, size_t ef,
                   const std::vector<bool>* allowed = nullptr) {
  double sum = 0;
  for (const auto& q : queries) {
    sum += recall(brute_force(data, q, 10, allowed), index.search(q, 10, ef, 0));
  }
  return sum / static_cast<double>(queries.size());
}

// 0.95 is the target operating point; with M=16, efC=200 a 3k-element graph is far from
// saturated, so ef=64 should clear it with margin (measured ~0.99) and a broken graph cannot.
TEST(HnswIndex, RecallAtTenBeatsThresholdOnClusteredData) {
  const auto [data, queries] = split_queries(clustered_vectors(3200, kDim, 30, 1), 200);
  const auto index = build(data, data.size());
  EXPECT_GE(mean_recall(*index, data, queries, 64), 0.95);
  EXPECT_GE(mean_recall(*index, data, queries, 16), 0.70);  // degrades, does not collapse
}

TEST(HnswIndex, HitsAreBestFirstAndSelfIsFound) {
  const auto data = clustered_vectors(1000, kDim, 10, 2);
  const auto index = build(data, data.size());
  for (size_t i = 0; i < 50; ++i) {
    const auto hits = index->search(data[i], 10, 64, 0);
    ASSERT_EQ(hits.size(), 10u);
    EXPECT_EQ(hits[0].id, i);
    EXPECT_NEAR(hits[0].similarity, 1.0f, 1e-4);
    for (size_t h = 1; h < hits.size(); ++h) EXPECT_GE(hits[h - 1].similarity, hits[h].similarity);
  }
}

TEST(HnswIndex, TombstonedEntriesAreNeverReturned) {
  const auto data = clustered_vectors(2000, kDim, 20, 3);
  auto index = build(data, data.size());
  std::vector<bool> alive(data.size(), true);
  for (size_t i = 0; i < data.size(); i += 3) {
    ASSERT_TRUE(index->erase(i));
    alive[i] = false;
  }
  EXPECT_FALSE(index->erase(0));  // already gone
  EXPECT_NEAR(index->dead_fraction(), 667.0 / 2000.0, 1e-9);
  for (size_t i = 0; i < 300; ++i) {
    const auto hits = index->search(data[i], 10, 64, 0);
    EXPECT_EQ(hits.size(), 10u);
    for (const SearchHit& h : hits) EXPECT_TRUE(alive[h.id]) << h.id;
  }
}

TEST(HnswIndex, CompactionDropsDeadAndKeepsRecall) {
  const auto [data, queries] = split_queries(clustered_vectors(3200, kDim, 30, 4), 200);
  auto index = build(data, data.size());
  std::vector<bool> alive(data.size(), true);
  for (size_t i = 0; i < data.size(); i += 2) index->erase(i), alive[i] = false;
  const auto compact = index->compacted(0, std::numeric_limits<size_t>::max(), data.size());
  EXPECT_EQ(compact->size(), 1500u);
  EXPECT_EQ(compact->dead_fraction(), 0.0);
  EXPECT_GE(mean_recall(*compact, data, queries, 64, &alive), 0.95);
}

TEST(HnswIndex, CompactionKeepsTheNewestWhenBounded) {
  const auto data = clustered_vectors(500, kDim, 5, 5);
  const auto index = build(data, data.size());
  const auto compact = index->compacted(0, 100, 200);
  EXPECT_EQ(compact->size(), 100u);
  EXPECT_EQ(compact->capacity(), 200u);
  for (const SearchHit& h : compact->search(data[0], 100, 200, 0)) EXPECT_GE(h.id, 400u);
}

TEST(HnswIndex, GrownCopyAnswersTheSameAndTakesMore) {
  const auto data = clustered_vectors(600, kDim, 6, 6);
  auto index = build(std::vector(data.begin(), data.begin() + 500), 500);
  EXPECT_EQ(index->insert(500, data[500], 0), InsertResult::kFull);
  auto bigger = index->grown(1000);
  for (size_t i = 0; i < 20; ++i) {
    const auto a = index->search(data[i], 10, 64, 0);
    const auto b = bigger->search(data[i], 10, 64, 0);
    ASSERT_EQ(a.size(), b.size());
    for (size_t h = 0; h < a.size(); ++h) EXPECT_EQ(a[h].id, b[h].id);
  }
  for (size_t i = 500; i < 600; ++i)
    EXPECT_EQ(bigger->insert(i, data[i], 0), InsertResult::kInserted);
  EXPECT_EQ(bigger->search(data[599], 1, 64, 0).at(0).id, 599u);
}

TEST(HnswIndex, ExpiredEntriesAreSkippedAndCompactedAway) {
  const auto data = clustered_vectors(400, kDim, 4, 7);
  HnswParams p = params_for(400);
  p.ttl_ms = 1000;
  HnswIndex index(p);
  for (size_t i = 0; i < 400; ++i) index.insert(i, data[i], i < 200 ? 0 : 500);
  EXPECT_EQ(index.search(data[0], 1, 64, 999).at(0).id, 0u);  // not yet expired
  for (size_t i = 0; i < 100; ++i) {
    for (const SearchHit& h : index.search(data[i], 10, 64, 1200)) EXPECT_GE(h.id, 200u);
  }
  EXPECT_TRUE(index.search(data[0], 10, 64, 1500).empty());  // everything expired
  EXPECT_EQ(index.compacted(1200, 1000, 400)->size(), 200u);
}

TEST(HnswIndex, RejectsBadVectorsAndReplacesIds) {
  HnswIndex index(params_for(10));
  std::vector<float> v(kDim, 0.0f);
  EXPECT_EQ(index.insert(1, v, 0), InsertResult::kBadVector);  // zero
  v[0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(index.insert(1, v, 0), InsertResult::kBadVector);
  EXPECT_EQ(index.insert(1, std::vector<float>(kDim - 1, 1.0f), 0), InsertResult::kBadVector);
  EXPECT_TRUE(index.search(std::vector<float>(kDim, 1.0f), 5, 0, 0).empty());  // empty index
  std::vector<float> a(kDim, 0.0f), b(kDim, 0.0f);
  a[0] = 3.0f;  // normalized on the way in
  b[1] = 1.0f;
  EXPECT_EQ(index.insert(7, a, 0), InsertResult::kInserted);
  EXPECT_EQ(index.insert(7, b, 0), InsertResult::kReplaced);
  const auto hits = index.search(a, 5, 0, 0);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, 7u);
  EXPECT_NEAR(hits[0].similarity, 0.0f, 1e-6);  // the replacement, not the old vector
  EXPECT_TRUE(index.search(std::vector<float>(3, 1.0f), 5, 0, 0).empty());  // wrong dim
}

TEST(HnswIndex, FullIndexRefusesInserts) {
  const auto data = clustered_vectors(101, kDim, 2, 8);
  HnswIndex index(params_for(100));
  for (size_t i = 0; i < 100; ++i) ASSERT_EQ(index.insert(i, data[i], 0), InsertResult::kInserted);
  EXPECT_EQ(index.insert(100, data[100], 0), InsertResult::kFull);
  EXPECT_EQ(index.size(), 100u);
  EXPECT_GT(index.memory_bytes(), 100 * kDim * sizeof(float));
}

}  // namespace
}  // namespace ringgate::cache
