// ResponseStore: tenant isolation, TTL, byte and entry bounds with oldest-first eviction,
// oversized entries, and concurrent use from several threads.
#include "cache/response_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace ringgate::cache {
namespace {

// prefix + number, built by appending (GCC 12 warns falsely on `"r" + std::to_string(i)`).
std::string numbered(std::string_view prefix, int n) {
  std::string out(prefix);
  out += std::to_string(n);
  return out;
}

ResponseStoreLimits small_limits() {
  ResponseStoreLimits limits;
  limits.max_bytes = 1000;
  limits.max_entries = 10;
  limits.ttl_ms = 1000;
  limits.max_entry_bytes = 500;
  return limits;
}

TEST(ResponseStore, KeepsAndReturnsItems) {
  ResponseStore store(small_limits());
  EXPECT_TRUE(store.put("t1", "resp_1", R"([{"type":"message"}])", 0));
  auto got = store.get("t1", "resp_1", 10);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, R"([{"type":"message"}])");
  EXPECT_FALSE(store.get("t1", "resp_2", 10).has_value());
  EXPECT_EQ(store.entries(), 1u);
  EXPECT_EQ(store.bytes(), std::string("t1resp_1[{\"type\":\"message\"}]").size());
}

// seed-defect: 000-C3
TEST(ResponseStore, TenantNeverSeesAnotherTenantsEntry) {
  ResponseStore store(small_limits());
  ASSERT_TRUE(store.put("alice", "resp_x", "[1]", 0));
  EXPECT_FALSE(store.get("bob", "resp_x", 1).has_value());
  EXPECT_FALSE(store.get("", "resp_x", 1).has_value());
  // Splitting the same characters differently between tenant and id is another key.
  ASSERT_TRUE(store.put("ab", "c", "[2]", 0));
  EXPECT_FALSE(store.get("a", "bc", 1).has_value());
  EXPECT_FALSE(store.get("abc", "", 1).has_value());
  // Two tenants may hold the same id independently.
  ASSERT_TRUE(store.put("bob", "resp_x", "[3]", 0));
  EXPECT_EQ(store.get("alice", "resp_x", 1).value(), "[1]");
  EXPECT_EQ(store.get("bob", "resp_x", 1).value(), "[3]");
}

TEST(ResponseStore, KeysWithSeparatorsAndNulBytesStayDistinct) {
  ResponseStore store(small_limits());
  const std::string tenant_a("a\0b", 3);
  ASSERT_TRUE(store.put(tenant_a, "id", "[a]", 0));
  EXPECT_FALSE(store.get("a", std::string("b\0id", 4), 1).has_value());
  EXPECT_FALSE(store.get("a:b", "id", 1).has_value());
  EXPECT_EQ(store.get(tenant_a, "id", 1).value(), "[a]");
}

TEST(ResponseStore, EntryExpiresAfterTtl) {
  ResponseStore store(small_limits());
  ASSERT_TRUE(store.put("t", "r", "[]", 100));
  EXPECT_TRUE(store.get("t", "r", 1099).has_value());
  EXPECT_FALSE(store.get("t", "r", 1100).has_value());
  EXPECT_EQ(store.entries(), 0u);  // an expired entry found on get is dropped
  EXPECT_EQ(store.bytes(), 0u);
}

TEST(ResponseStore, ExtremeAndBackwardClocksNeitherOverflowNorExpireEarly) {
  ResponseStore store(small_limits());
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  ASSERT_TRUE(store.put("t", "old", "[]", kMin));
  EXPECT_FALSE(store.get("t", "old", kMax).has_value());  // ages past 2^63 are still ages
  ASSERT_TRUE(store.put("t", "later", "[]", 100));
  EXPECT_TRUE(store.get("t", "later", 50).has_value());  // a clock that went back keeps it
}

TEST(ResponseStore, TtlOfZeroKeepsNothing) {
  ResponseStoreLimits limits = small_limits();
  limits.ttl_ms = 0;
  ResponseStore store(limits);
  ASSERT_TRUE(store.put("t", "r", "[]", 5));
  EXPECT_FALSE(store.get("t", "r", 5).has_value());
}

TEST(ResponseStore, PutDropsExpiredEntriesFirst) {
  ResponseStore store(small_limits());
  ASSERT_TRUE(store.put("t", "old", "[]", 0));
  ASSERT_TRUE(store.put("t", "new", "[]", 900));
  ASSERT_TRUE(store.put("t", "newer", "[]", 1500));
  EXPECT_EQ(store.entries(), 2u);
  EXPECT_TRUE(store.get("t", "new", 1500).has_value());
}

TEST(ResponseStore, EntryBoundEvictsOldestFirst) {
  ResponseStoreLimits limits = small_limits();
  limits.max_entries = 3;
  ResponseStore store(limits);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store.put("t", numbered("r", i), "[]", i));
  EXPECT_EQ(store.entries(), 3u);
  EXPECT_FALSE(store.get("t", "r0", 10).has_value());
  EXPECT_FALSE(store.get("t", "r1", 10).has_value());
  for (int i = 2; i < 5; ++i) EXPECT_TRUE(store.get("t", numbered("r", i), 10));
}

TEST(ResponseStore, ByteBoundEvictsOldestUntilTheNewEntryFits) {
  ResponseStoreLimits limits = small_limits();
  limits.max_bytes = 300;
  ResponseStore store(limits);
  const std::string items(98, 'x');  // 1 + 1 + 98 = 100 bytes per entry
  ASSERT_TRUE(store.put("t", "a", items, 0));
  ASSERT_TRUE(store.put("t", "b", items, 1));
  ASSERT_TRUE(store.put("t", "c", items, 2));
  EXPECT_EQ(store.bytes(), 300u);
  ASSERT_TRUE(store.put("t", "d", std::string(148, 'y'), 3));  // 150 bytes: a and b must go
  EXPECT_FALSE(store.get("t", "a", 4).has_value());
  EXPECT_FALSE(store.get("t", "b", 4).has_value());
  EXPECT_TRUE(store.get("t", "c", 4).has_value());
  EXPECT_TRUE(store.get("t", "d", 4).has_value());
  EXPECT_EQ(store.bytes(), 250u);
  EXPECT_LE(store.bytes(), limits.max_bytes);
}

TEST(ResponseStore, ReplacingAKeyMovesItToNewestAndRecountsBytes) {
  ResponseStoreLimits limits = small_limits();
  limits.max_entries = 2;
  ResponseStore store(limits);
  ASSERT_TRUE(store.put("t", "a", "[1]", 0));
  ASSERT_TRUE(store.put("t", "b", "[2]", 1));
  ASSERT_TRUE(store.put("t", "a", "[1,2,3]", 2));  // a is now the newest
  EXPECT_EQ(store.entries(), 2u);
  EXPECT_EQ(store.bytes(), (2 + 3) + (2 + 7u));
  ASSERT_TRUE(store.put("t", "c", "[4]", 3));  // evicts b, the oldest
  EXPECT_FALSE(store.get("t", "b", 4).has_value());
  EXPECT_EQ(store.get("t", "a", 4).value(), "[1,2,3]");
}

TEST(ResponseStore, OversizedEntryIsRefusedAndDropsTheStaleOne) {
  ResponseStore store(small_limits());  // max_entry_bytes 500
  ASSERT_TRUE(store.put("t", "r", "[old]", 0));
  ASSERT_TRUE(store.put("t", "keep", "[]", 0));
  EXPECT_FALSE(store.put("t", "r", std::string(499, 'x'), 1));  // 1 + 1 + 499 > 500
  EXPECT_FALSE(store.get("t", "r", 2).has_value());
  EXPECT_TRUE(store.get("t", "keep", 2).has_value());          // nothing else was evicted for it
  EXPECT_TRUE(store.put("t", "r", std::string(498, 'x'), 3));  // exactly 500 fits
}

TEST(ResponseStore, EntryLargerThanTheWholeBudgetIsRefused) {
  ResponseStoreLimits limits = small_limits();
  limits.max_bytes = 100;
  ResponseStore store(limits);
  ASSERT_TRUE(store.put("t", "keep", "[]", 0));
  EXPECT_FALSE(store.put("t", "big", std::string(200, 'x'), 1));
  EXPECT_TRUE(store.get("t", "keep", 2).has_value());
}

TEST(ResponseStore, ConcurrentPutAndGetStayConsistent) {
  ResponseStoreLimits limits;
  limits.max_entries = 64;
  limits.max_bytes = 64 * 40;
  ResponseStore store(limits);
  constexpr int kThreads = 4;
  constexpr int kRounds = 2000;
  std::atomic<int> wrong{0};
  std::atomic<int> own_hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, &wrong, &own_hits, t] {
      const std::string tenant = numbered("tenant", t);
      const std::string neighbour = numbered("tenant", (t + 1) % kThreads);
      for (int i = 0; i < kRounds; ++i) {
        const std::string id = numbered("r", i % 50);
        store.put(tenant, id, "[\"" + tenant + "\"," + std::to_string(i) + "]", i);
        // Another thread may have evicted it, but what comes back is always this tenant's.
        if (auto got = store.get(tenant, id, i)) {
          ++own_hits;
          if (got->find("\"" + tenant + "\"") == std::string::npos) ++wrong;
        }
        if (auto other = store.get(neighbour, id, i)) {
          if (other->find("\"" + neighbour + "\"") == std::string::npos) ++wrong;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(own_hits.load(), 0);
  EXPECT_LE(store.entries(), limits.max_entries);
  EXPECT_LE(store.bytes(), limits.max_bytes);
}

}  // namespace
}  // namespace ringgate::cache
