// SemanticCache: thresholds per model (a near miss is a miss), tenant isolation under hostile
// names, TTL and tombstones, the vector bound, and readers racing one writer (also under TSan).
#include "cache/semantic_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "tests/cache/vector_fixtures.h"

namespace ringgate::cache {
namespace {

using testing::clustered_vectors;

constexpr size_t kDim = 32;

SemanticCacheLimits small_limits() {
  SemanticCacheLimits l;
  l.index.dim = kDim;
  l.index.m = 8;
  l.index.ef_construction = 64;
  l.ttl_ms = 1000;
  l.max_vectors = 1000;
  l.initial_capacity = 64;
  return l;
}

CacheKey key_of(uint32_t n, uint8_t tag = 0) {
  CacheKey k;
  for (size_t i = 0; i < 4; ++i) k.bytes[i] = uint8_t(n >> (8 * i));
  k.bytes[4] = tag;
  return k;
}

// A unit vector whose cosine with unit vector v is exactly `cosine`.
std::vector<float> at_cosine(const std::vector<float>& v, float cosine, uint64_t seed) {
  std::vector<float> u = clustered_vectors(1, v.size(), 1, seed, 1.0f)[0];
  const float along = dot_product(u.data(), v.data(), v.size());
  for (size_t i = 0; i < v.size(); ++i) u[i] -= along * v[i];  // orthogonal to v
  normalize(u);
  std::vector<float> q(v.size());
  const float across = std::sqrt(1.0f - cosine * cosine);
  for (size_t i = 0; i < v.size(); ++i) q[i] = cosine * v[i] + across * u[i];
  return q;
}

// seed-defect: 000-M4
TEST(SemanticCache, EachModelsThresholdDecidesAndANearMissIsAMiss) {
  SemanticCache cache(small_limits());
  const std::vector<float> v = clustered_vectors(1, kDim, 1, 7)[0];
  const NamespaceKey loose{"team-a", "model-loose", "local-ngram-v1-32"};
  const NamespaceKey strict{"team-a", "model-strict", "local-ngram-v1-32"};
  ASSERT_TRUE(cache.insert(loose, v, key_of(1), 0));
  ASSERT_TRUE(cache.insert(strict, v, key_of(2), 0));
  const std::vector<float> q = at_cosine(v, 0.95f, 11);

  const auto hit = cache.lookup(loose, q, 0.92f, 10);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->answer_key, key_of(1));
  EXPECT_NEAR(hit->similarity, 0.95f, 1e-4);
  EXPECT_FALSE(cache.lookup(strict, q, 0.97f, 10).has_value());  // 0.95 < 0.97: near miss
  EXPECT_TRUE(cache.lookup(strict, v, 0.97f, 10).has_value());   // the same prompt still hits
  EXPECT_EQ(cache.stats().near_misses, 1u);
  EXPECT_EQ(cache.stats().hits, 2u);
}

TEST(SemanticCache, HostileNamesNeverReachAnotherNamespace) {
  SemanticCache cache(small_limits());
  const std::vector<float> v = clustered_vectors(1, kDim, 1, 3)[0];
  const std::vector<NamespaceKey> keys = {
      {"team-a", "gpt|x", "e"},  {"team-a|gpt", "x", "e"},
      {"team-a", "gpt", "x|e"},  {std::string("team-a\0gpt", 10), "x", "e"},
      {"team-a", "gpt\0x", "e"}, {"team-b", "gpt|x", "e"},
      {"", "team-agpt|x", "e"},
  };
  const NamespaceKey victim = keys[0];
  ASSERT_TRUE(cache.insert(victim, v, key_of(1), 0));
  for (size_t i = 1; i < keys.size(); ++i) {
    EXPECT_FALSE(cache.lookup(keys[i], v, -1.0f, 1).has_value()) << i;
  }
  for (size_t i = 1; i < keys.size(); ++i) ASSERT_TRUE(cache.insert(keys[i], v, key_of(i + 1), 0));
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto hit = cache.lookup(keys[i], v, 0.99f, 1);
    ASSERT_TRUE(hit.has_value()) << i;
    EXPECT_EQ(hit->answer_key, key_of(i + 1)) << i;
  }
}

TEST(SemanticCache, ExpiredEntriesMissAndAreTombstoned) {
  SemanticCache cache(small_limits());  // ttl 1000 ms
  const auto data = clustered_vectors(100, kDim, 4, 5);
  const NamespaceKey ns{"t", "m", "e"};
  for (size_t i = 0; i < 60; ++i) ASSERT_TRUE(cache.insert(ns, data[i], key_of(i), 0));
  for (size_t i = 60; i < 100; ++i) ASSERT_TRUE(cache.insert(ns, data[i], key_of(i), 500));
  EXPECT_TRUE(cache.lookup(ns, data[0], 0.99f, 999).has_value());
  EXPECT_FALSE(cache.lookup(ns, data[0], 0.99f, 1000).has_value());  // expired: a miss
  EXPECT_EQ(cache.sweep(1000), 60u);
  const SemanticCacheStats s = cache.stats();
  EXPECT_EQ(s.entries, 40u);
  EXPECT_EQ(s.tombstoned, 60u);
  for (size_t i = 60; i < 100; ++i) {  // the rebuild (60% tombstoned) kept the live ones
    const auto hit = cache.lookup(ns, data[i], 0.99f, 1000);
    ASSERT_TRUE(hit.has_value()) << i;
    EXPECT_EQ(hit->answer_key, key_of(i));
  }
  EXPECT_FALSE(cache.lookup(ns, data[99], 0.99f, 1500).has_value());
}

TEST(SemanticCache, VectorBoundRefusesUntilEntriesExpire) {
  SemanticCacheLimits limits = small_limits();
  limits.max_vectors = 10;
  SemanticCache cache(limits);
  const auto data = clustered_vectors(12, kDim, 2, 9);
  for (size_t i = 0; i < 10; ++i) {
    const NamespaceKey ns{"t", i % 2 ? "m1" : "m2", "e"};  // the bound spans namespaces
    ASSERT_TRUE(cache.insert(ns, data[i], key_of(i), 0));
  }
  EXPECT_FALSE(cache.insert({"t", "m3", "e"}, data[10], key_of(10), 10));
  EXPECT_EQ(cache.stats().refused, 1u);
  EXPECT_TRUE(cache.insert({"t", "m3", "e"}, data[10], key_of(10), 1000));  // after the TTL
  EXPECT_FALSE(cache.insert({"t", "m3", "e"}, std::vector<float>(kDim - 1, 0.1f), key_of(11), 0));
}

// Readers on four threads look up the vectors of four namespaces while one writer fills them;
// every hit must name a key inserted under the namespace that was asked.
TEST(SemanticCache, ReadersRaceOneWriter) {
  SemanticCacheLimits limits = small_limits();
  limits.ttl_ms = 1'000'000;
  limits.max_vectors = 2000;
  SemanticCache cache(limits);
  constexpr size_t kPerNamespace = 300;
  const auto data = clustered_vectors(kPerNamespace, kDim, 8, 21);
  const std::vector<NamespaceKey> spaces = {
      {"t0", "m", "e"}, {"t1", "m", "e"}, {"t2", "m", "e"}, {"t3", "m", "e"}};
  const auto ns_of = [&](size_t n) { return spaces[n]; };
  std::atomic<bool> done{false};
  std::atomic<size_t> hits{0}, wrong{0};
  std::vector<std::thread> readers;
  for (size_t r = 0; r < 4; ++r) {
    readers.emplace_back([&, r] {
      size_t i = r;
      while (!done.load(std::memory_order_acquire)) {
        const size_t n = i % 4, v = (i / 4) % kPerNamespace;
        if (const auto hit = cache.lookup(ns_of(n), data[v], 0.999f, 1)) {
          hits.fetch_add(1);
          if (hit->answer_key.bytes[4] != n) wrong.fetch_add(1);
        }
        i += 7;
      }
    });
  }
  size_t refused = 0;  // counted, not asserted, so the readers are always joined
  for (size_t v = 0; v < kPerNamespace; ++v) {
    for (size_t n = 0; n < 4; ++n) refused += !cache.insert(ns_of(n), data[v], key_of(v, n), 1);
  }
  done.store(true, std::memory_order_release);
  for (auto& t : readers) t.join();
  EXPECT_EQ(refused, 0u);
  EXPECT_EQ(wrong.load(), 0u);
  EXPECT_GT(hits.load(), 0u);
  EXPECT_EQ(cache.stats().entries, 4 * kPerNamespace);
  for (size_t n = 0; n < 4; ++n) {
    const auto hit = cache.lookup(ns_of(n), data[17], 0.999f, 1);
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(hit->answer_key.bytes[4], n);
  }
}

}  // namespace
}  // namespace ringgate::cache
