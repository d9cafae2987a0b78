// KeyPool: round robin over ready keys, 429 cooldowns (retry-after or 1 s doubling to 60 s,
// reset by a success), 401/403 removal until the pool is rebuilt.
#include "engine/upstream/key_pool.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace ringgate::upstream {
namespace {

constexpr uint64_t kT0 = 5'000'000;

TEST(KeyPool, PicksRoundRobin) {
  KeyPool p(3);
  std::vector<size_t> seq;
  for (int i = 0; i < 7; ++i) seq.push_back(*p.pick(kT0));
  EXPECT_EQ(seq, (std::vector<size_t>{0, 1, 2, 0, 1, 2, 0}));
  EXPECT_EQ(p.usable(kT0), 3u);
}

TEST(KeyPool, RateLimitedKeyIsSkippedForItsRetryAfter) {
  KeyPool p(3);
  p.rate_limited(1, kT0, 2500);
  EXPECT_EQ(p.usable(kT0), 2u);
  std::vector<size_t> seq;
  for (int i = 0; i < 4; ++i) seq.push_back(*p.pick(kT0 + 2499));
  EXPECT_EQ(seq, (std::vector<size_t>{0, 2, 0, 2}));
  EXPECT_EQ(p.usable(kT0 + 2500), 3u);
  // The cursor is after 2: 0 comes next, then 1 again in its turn.
  EXPECT_EQ(*p.pick(kT0 + 2500), 0u);
  EXPECT_EQ(*p.pick(kT0 + 2500), 1u);
}

TEST(KeyPool, DefaultCooldownDoublesToSixtySecondsAndSuccessResetsIt) {
  KeyPool p(1);
  uint64_t now = kT0;
  const uint64_t expected[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
  for (uint64_t want : expected) {
    p.rate_limited(0, now, std::nullopt);
    EXPECT_FALSE(p.pick(now + want - 1));
    EXPECT_EQ(p.next_ready_ms(now), now + want);
    now += want;
    ASSERT_TRUE(p.pick(now));
  }
  p.succeeded(0);
  p.rate_limited(0, now, std::nullopt);
  EXPECT_EQ(p.next_ready_ms(now), now + 1000);
}

TEST(KeyPool, AuthFailureRemovesTheKeyForGood) {
  KeyPool p(2);
  p.auth_failed(0);
  EXPECT_TRUE(p.removed(0));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(*p.pick(kT0 + uint64_t(i) * 3'600'000), 1u);
  EXPECT_FALSE(p.all_out());
  p.succeeded(0);  // a late success from a request sent before does not bring it back
  EXPECT_TRUE(p.removed(0));
  p.auth_failed(1);
  EXPECT_TRUE(p.all_out());
  EXPECT_FALSE(p.pick(kT0));
  EXPECT_EQ(p.next_ready_ms(kT0), std::numeric_limits<uint64_t>::max());
  KeyPool rebuilt(2);  // a reload
  EXPECT_EQ(rebuilt.usable(kT0), 2u);
}

TEST(KeyPool, NextReadyIsNowWhenOneIsReadyElseTheSoonest) {
  KeyPool p(3);
  EXPECT_EQ(p.next_ready_ms(kT0), kT0);
  p.rate_limited(0, kT0, 3000);
  p.rate_limited(1, kT0, 1000);
  p.auth_failed(2);
  EXPECT_FALSE(p.pick(kT0));
  EXPECT_FALSE(p.all_out());
  EXPECT_EQ(p.usable(kT0), 0u);
  EXPECT_EQ(p.next_ready_ms(kT0), kT0 + 1000);
  EXPECT_EQ(*p.pick(kT0 + 1000), 1u);
}

TEST(KeyPool, AShorterRetryAfterNeverShortensACooldown) {
  KeyPool p(1);
  p.rate_limited(0, kT0, 10000);
  p.rate_limited(0, kT0 + 1, 5);  // a late 429 from an earlier request
  EXPECT_EQ(p.next_ready_ms(kT0), kT0 + 10000);
}

TEST(KeyPool, EmptyPoolIsAllOutAndOutOfRangeIndexesAreIgnored) {
  KeyPool p(0);
  EXPECT_TRUE(p.all_out());
  EXPECT_FALSE(p.pick(kT0));
  KeyPool q(1);
  q.rate_limited(7, kT0, 1000);
  q.auth_failed(7);
  q.succeeded(7);
  EXPECT_EQ(q.usable(kT0), 1u);
}

}  // namespace
}  // namespace ringgate::upstream
