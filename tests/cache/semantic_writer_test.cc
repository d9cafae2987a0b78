// SemanticWriter: producers on many threads, one writer inserting, readers looking up meanwhile
// (also under TSan); a full queue drops and counts, never blocks.
#include "cache/semantic_writer.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "tests/cache/vector_fixtures.h"

namespace ringgate::cache {
namespace {

constexpr size_t kDim = 32;

SemanticCacheLimits limits() {
  SemanticCacheLimits l;
  l.index.dim = kDim;
  l.index.m = 8;
  l.index.ef_construction = 32;
  l.max_vectors = 10000;
  l.initial_capacity = 64;
  return l;
}

CacheKey key_of(uint32_t n) {
  CacheKey k;
  for (size_t i = 0; i < 4; ++i) k.bytes[i] = uint8_t(n >> (8 * i));
  return k;
}

TEST(SemanticWriter, ProducersAndReadersRaceTheWriterAndEveryPushIsAccountedFor) {
  SemanticCache cache(limits());
  constexpr int kProducers = 4, kEach = 100;
  SemanticWriter writer(cache, kProducers * kEach);  // room for all: none dropped
  const auto vectors = testing::clustered_vectors(kProducers * kEach, kDim, 8, 3);
  const NamespaceKey ns{"key:a", "m", "local"};
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) (void)cache.lookup(ns, vectors[0], 0.99f, 0);
  });
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kEach; ++i) {
        const int n = p * kEach + i;
        EXPECT_TRUE(writer.push({ns, vectors[size_t(n)], key_of(uint32_t(n)), 0}));
      }
    });
  }
  for (std::thread& t : producers) t.join();
  ASSERT_TRUE(writer.wait_idle(30000));
  done = true;
  reader.join();
  const SemanticWriterCounters c = writer.counters();
  EXPECT_EQ(c.inserted + c.refused, uint64_t(kProducers * kEach));
  EXPECT_EQ(c.dropped, 0u);
  EXPECT_EQ(cache.stats().entries, c.inserted);
  const auto hit = cache.lookup(ns, vectors[123], 0.999f, 0);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->answer_key, key_of(123));
}

// A queue with no room is always full: every push is refused at once and counted.
TEST(SemanticWriter, AFullQueueDropsAndCounts) {
  SemanticCache cache(limits());
  SemanticWriter writer(cache, 0);
  const auto vectors = testing::clustered_vectors(3, kDim, 1, 5);
  for (size_t i = 0; i < vectors.size(); ++i) {
    EXPECT_FALSE(writer.push({{"key:a", "m", "local"}, vectors[i], key_of(uint32_t(i)), 0}));
  }
  ASSERT_TRUE(writer.wait_idle(1000));
  EXPECT_EQ(writer.counters().dropped, 3u);
  EXPECT_EQ(writer.counters().inserted, 0u);
  EXPECT_EQ(cache.stats().entries, 0u);
}

}  // namespace
}  // namespace ringgate::cache
