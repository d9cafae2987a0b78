#include "cache/exact_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace ringgate::cache {
namespace {

CacheKey key_n(uint32_t n) {
  CacheKey key;
  for (int i = 0; i < 4; ++i) key.bytes[i] = static_cast<uint8_t>(n >> (8 * i));
  key.bytes[31] = static_cast<uint8_t>(n * 37);  // the shard byte
  return key;
}

StoredAnswer answer(std::string body) {
  StoredAnswer a;
  a.shape = StoredShape::kAnthropicMessages;
  a.model = "m";
  a.body = std::move(body);
  a.prompt_tokens = 3;
  return a;
}

TEST(ExactCache, StoresAndServesWithinScope) {
  ExactCache cache({});
  ASSERT_TRUE(cache.put(key_n(1), "team-a", answer("{}"), 0));
  auto hit = cache.get(key_n(1), "team-a", 1);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->body, "{}");
  EXPECT_EQ(hit->shape, StoredShape::kAnthropicMessages);
  EXPECT_EQ(hit->prompt_tokens, 3u);
  EXPECT_FALSE(cache.get(key_n(1), "team-b", 1));  // same key, other scope: never served
  EXPECT_FALSE(cache.get(key_n(2), "team-a", 1));
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_EQ(stats.bytes, 6 + 3 + ExactCache::kEntryOverhead);
}

TEST(ExactCache, ExpiresByTtl) {
  ExactCache cache({.default_ttl_ms = 100});
  cache.put(key_n(1), "s", answer("a"), 0);
  cache.put(key_n(2), "s", answer("b"), 0, 1000);
  EXPECT_TRUE(cache.get(key_n(1), "s", 99));
  EXPECT_FALSE(cache.get(key_n(1), "s", 100));
  EXPECT_TRUE(cache.get(key_n(2), "s", 999));
  EXPECT_EQ(cache.stats().expirations, 1u);
  EXPECT_EQ(cache.stats().entries, 1u);
}

TEST(ExactCache, EvictsLeastRecentlyUsedWithinBudget) {
  const size_t entry = 1 + 1 + 100 + ExactCache::kEntryOverhead;
  ExactCache cache({.max_bytes = 3 * entry, .shards = 1});
  for (uint32_t i = 0; i < 3; ++i)
    ASSERT_TRUE(cache.put(key_n(i), "s", answer(std::string(100, 'x')), 0));
  ASSERT_TRUE(cache.get(key_n(0), "s", 1));  // 0 is now the most recent; 1 the least
  ASSERT_TRUE(cache.put(key_n(3), "s", answer(std::string(100, 'y')), 1));
  EXPECT_TRUE(cache.get(key_n(0), "s", 2));
  EXPECT_FALSE(cache.get(key_n(1), "s", 2));
  EXPECT_TRUE(cache.get(key_n(2), "s", 2));
  EXPECT_TRUE(cache.get(key_n(3), "s", 2));
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_LE(cache.stats().bytes, 3 * entry);
}

TEST(ExactCache, RefusesTooBigAndDropsTheStaleOne) {
  ExactCache cache({.max_entry_bytes = 1000});
  ASSERT_TRUE(cache.put(key_n(1), "s", answer("old"), 0));
  EXPECT_FALSE(cache.put(key_n(1), "s", answer(std::string(1000, 'x')), 0));
  EXPECT_FALSE(cache.get(key_n(1), "s", 0));
  EXPECT_EQ(cache.stats().refused, 1u);
  EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(ExactCache, ReplacesAndErases) {
  ExactCache cache({});
  cache.put(key_n(1), "s", answer("a"), 0);
  cache.put(key_n(1), "s", answer("bb"), 0);
  EXPECT_EQ(cache.get(key_n(1), "s", 0)->body, "bb");
  EXPECT_EQ(cache.stats().entries, 1u);
  EXPECT_TRUE(cache.erase(key_n(1)));
  EXPECT_FALSE(cache.erase(key_n(1)));
  EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(ExactCache, AnswerOutlivesEviction) {
  ExactCache cache({});
  cache.put(key_n(1), "s", answer("kept"), 0);
  auto held = cache.get(key_n(1), "s", 0);
  cache.erase(key_n(1));
  EXPECT_EQ(held->body, "kept");
}

// Several threads put and get overlapping keys: counts add up and the bound holds (run under
// TSan by tools/test.sh).
TEST(ExactCache, ConcurrentPutsAndGets) {
  const size_t budget = 64 * (ExactCache::kEntryOverhead + 64);
  ExactCache cache({.max_bytes = budget, .shards = 4});
  constexpr int kThreads = 4, kOps = 4000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < kOps; ++i) {
        const auto key = key_n(static_cast<uint32_t>((i * 7 + t) % 200));
        if (i % 3 == 0) {
          cache.put(key, "s", answer(std::string(50, 'a' + t)), i);
        } else if (auto hit = cache.get(key, "s", i)) {
          EXPECT_EQ(hit->body.size(), 50u);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses, static_cast<uint64_t>(kThreads) * (kOps - (kOps + 2) / 3));
  EXPECT_LE(stats.bytes, budget);
  EXPECT_GT(stats.evictions, 0u);
}

}  // namespace
}  // namespace ringgate::cache
