// LimitSet: all-or-nothing acquire, the refusal with the longest wait, corrections at finish and
// the header snapshot.
#include "engine/admission/limit_set.h"

#include <gtest/gtest.h>

namespace ringgate::admission {
namespace {

constexpr uint64_t kSecond = 1000 * kNsPerMs;
constexpr uint64_t kT0 = 20'000 * kDayNs;  // on a refill instant of every rate used here

config::RateLimits limits(uint64_t rpm, uint64_t tpm, uint32_t concurrent = 0) {
  config::RateLimits l;
  l.rpm = rpm;
  l.tpm = tpm;
  l.concurrent = concurrent;
  return l;
}

TEST(LimitSet, ARefusalByOneBucketGivesBackWhatTheOthersTook) {
  LimitSet set(limits(10, 1000));
  LimitRefusal refusal;
  ASSERT_TRUE(set.try_acquire(900, kT0, refusal));
  EXPECT_FALSE(set.try_acquire(200, kT0, refusal));
  EXPECT_EQ(refusal.kind, LimitKind::kTpm);
  EXPECT_EQ(refusal.limit, 1000u);
  // The rpm bucket got its request back: nine more fit.
  LimitHeaders h;
  set.tighten(kT0, h);
  EXPECT_EQ(h.requests.remaining, 9u);
  EXPECT_EQ(h.tokens.remaining, 100u);
}

TEST(LimitSet, TheRefusalReportsTheLongestWaitNeeded) {
  LimitSet set(limits(60, 600));  // 1 request/s, 10 tokens/s
  LimitRefusal refusal;
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(set.try_acquire(1, kT0, refusal));
  // rpm needs 1 s; tpm needs 50 tokens more, i.e. 5 s.
  EXPECT_FALSE(set.try_acquire(590, kT0, refusal));
  EXPECT_EQ(refusal.kind, LimitKind::kTpm);
  EXPECT_EQ(refusal.wait_ns, 5 * kSecond);
  EXPECT_TRUE(set.try_acquire(590, kT0 + 5 * kSecond, refusal));
}

TEST(LimitSet, ConcurrencyCapRefusesAndFinishLeaves) {
  LimitSet set(limits(0, 0, 2));
  LimitRefusal refusal;
  ASSERT_TRUE(set.try_acquire(1, kT0, refusal));
  ASSERT_TRUE(set.try_acquire(1, kT0, refusal));
  EXPECT_FALSE(set.try_acquire(1, kT0, refusal));
  EXPECT_EQ(refusal.kind, LimitKind::kConcurrent);
  EXPECT_EQ(refusal.wait_ns, kConcurrencyRetryNs);
  set.finish(1, 1, kT0);
  EXPECT_TRUE(set.try_acquire(1, kT0, refusal));
}

TEST(LimitSet, ReleaseRefundsEverything) {
  LimitSet set(limits(1, 100, 1));
  LimitRefusal refusal;
  ASSERT_TRUE(set.try_acquire(100, kT0, refusal));
  set.release(100, kT0);
  EXPECT_TRUE(set.idle(kT0));
  EXPECT_TRUE(set.try_acquire(100, kT0, refusal));
}

TEST(LimitSet, FinishCorrectsTokensBothWays) {
  LimitSet set(limits(0, 1000));
  LimitRefusal refusal;
  ASSERT_TRUE(set.try_acquire(500, kT0, refusal));
  set.finish(500, 100, kT0);  // used less than estimated: 400 back
  LimitHeaders h;
  set.tighten(kT0, h);
  EXPECT_EQ(h.tokens.remaining, 900u);
  ASSERT_TRUE(set.try_acquire(100, kT0, refusal));
  set.finish(100, 1300, kT0);  // used more: 200 tokens of debt
  EXPECT_FALSE(set.try_acquire(1, kT0, refusal));
  EXPECT_EQ(refusal.wait_ns, 401 * kMinuteNs / 1000);  // 400 over capacity, then 1
}

TEST(LimitSet, HeadersNameTheTightestBucketOfEachKind) {
  config::RateLimits l = limits(100, 10'000);
  l.rph = 5;
  LimitSet set(l);
  LimitRefusal refusal;
  ASSERT_TRUE(set.try_acquire(10, kT0, refusal));
  LimitHeaders h;
  set.tighten(kT0, h);
  ASSERT_TRUE(h.requests.present);
  EXPECT_EQ(h.requests.limit, 5u);  // rph: 4 left beats rpm's 99
  EXPECT_EQ(h.requests.remaining, 4u);
  EXPECT_EQ(h.requests.reset_after_ms, 720'000u);  // one request per 12 minutes
  EXPECT_EQ(h.tokens.limit, 10'000u);
  EXPECT_EQ(h.tokens.remaining, 9'990u);
}

TEST(LimitSet, ARequestLargerThanTheLimitIsNeverAdmitted) {
  LimitSet set(limits(0, 100));
  LimitRefusal refusal;
  EXPECT_FALSE(set.try_acquire(101, kT0, refusal));
  EXPECT_EQ(refusal.wait_ns, kNeverNs);
}

}  // namespace
}  // namespace ringgate::admission
