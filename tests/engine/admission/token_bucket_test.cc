// TokenBucket: exact waits at low and high refill rates, refunds and debts, and many threads on
// one bucket under a shared fake clock.
#include "engine/admission/token_bucket.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace ringgate::admission {
namespace {

constexpr uint64_t kSecond = 1000 * kNsPerMs;
constexpr uint64_t kT0 = 1'000'000 * kSecond;  // an arbitrary steady-clock reading

uint64_t drain(TokenBucket& b, uint64_t now) {
  uint64_t n = 0;
  while (b.try_take(1, now).ok) ++n;
  return n;
}

// seed-defect: 000-M5 (Retry-After exact at refill 1/s, never 0 when refused)
TEST(TokenBucket, RetryAfterIsExactAtOnePerSecond) {
  TokenBucket b(60, kMinuteNs);
  EXPECT_EQ(drain(b, kT0), 60u);
  const TakeResult r = b.try_take(1, kT0);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.wait_ns, kSecond);
  EXPECT_EQ(ceil_ms(r.wait_ns), 1000u);
  EXPECT_FALSE(b.try_take(1, kT0 + kSecond - 1).ok);
  EXPECT_TRUE(b.try_take(1, kT0 + kSecond).ok);
  // Five more need five refills.
  EXPECT_EQ(b.try_take(5, kT0 + kSecond).wait_ns, 5 * kSecond);
}

// seed-defect: 000-M5 (Retry-After exact at refill 1000/s, never rounded down to 0)
TEST(TokenBucket, RetryAfterIsExactAtAThousandPerSecond) {
  TokenBucket b(60'000, kMinuteNs);
  EXPECT_EQ(drain(b, kT0), 60'000u);
  const TakeResult r = b.try_take(1, kT0);
  EXPECT_EQ(r.wait_ns, kNsPerMs);
  EXPECT_EQ(ceil_ms(r.wait_ns), 1u);
  // Half-way to the next token the wait is the other half, and still rounds up to 1 ms.
  EXPECT_EQ(b.try_take(1, kT0 + kNsPerMs / 2).wait_ns, kNsPerMs / 2);
  EXPECT_EQ(ceil_ms(kNsPerMs / 2), 1u);
  EXPECT_EQ(b.try_take(250, kT0).wait_ns, 250 * kNsPerMs);
}

TEST(TokenBucket, RefillsExactlyOverWindowsWithoutDrift) {
  // 7 per minute does not divide a nanosecond grid; a day of minutes must still give 7 each.
  TokenBucket b(7, kMinuteNs);
  uint64_t taken = drain(b, kT0);
  for (uint64_t m = 1; m <= 1440; ++m) taken += drain(b, kT0 + m * kMinuteNs);
  EXPECT_EQ(taken, 7u * 1441);
}

TEST(TokenBucket, ExtremeRatesStayExact) {
  TokenBucket per_day(1, kDayNs);
  EXPECT_TRUE(per_day.try_take(1, kT0).ok);
  const TakeResult r = per_day.try_take(1, kT0);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(per_day.try_take(1, kT0 + r.wait_ns).ok);
  EXPECT_LE(r.wait_ns, kDayNs);

  TokenBucket huge(1'000'000'000, kMinuteNs);  // one token every 60 ns
  EXPECT_TRUE(huge.try_take(1'000'000'000, kT0).ok);
  EXPECT_EQ(huge.try_take(1, kT0).wait_ns, huge.until_full_ns(kT0) - (1'000'000'000ull - 1) * 60);
  EXPECT_EQ(huge.remaining(kT0 + 60 * 1000), 1000u);
  EXPECT_EQ(huge.remaining(kT0 + kMinuteNs), 1'000'000'000u);
}

TEST(TokenBucket, MoreThanCapacityIsNeverAdmitted) {
  TokenBucket b(10, kMinuteNs);
  EXPECT_EQ(b.try_take(11, kT0).wait_ns, kNeverNs);
  EXPECT_EQ(b.remaining(kT0), 10u);
}

TEST(TokenBucket, GiveBackNeverExceedsCapacity) {
  TokenBucket b(10, kMinuteNs);
  ASSERT_TRUE(b.try_take(4, kT0).ok);
  b.give_back(100, kT0);
  EXPECT_EQ(b.remaining(kT0), 10u);
  ASSERT_TRUE(b.try_take(10, kT0).ok);
  b.give_back(3, kT0);
  EXPECT_EQ(b.remaining(kT0), 3u);
}

TEST(TokenBucket, ForceTakeGoesIntoDebtThatLaterTakersWaitFor) {
  TokenBucket b(60, kMinuteNs);
  b.force_take(90, kT0);  // 30 tokens of debt beyond empty
  EXPECT_EQ(b.remaining(kT0), 0u);
  EXPECT_EQ(b.try_take(1, kT0).wait_ns, 31 * kSecond);
  EXPECT_EQ(b.until_full_ns(kT0), 90 * kSecond);
  EXPECT_TRUE(b.try_take(1, kT0 + 31 * kSecond).ok);
}

TEST(TokenBucket, HeadersDescribeRemainingAndReset) {
  TokenBucket b(60, kMinuteNs);
  EXPECT_EQ(b.until_full_ns(kT0), 0u);
  ASSERT_TRUE(b.try_take(6, kT0).ok);
  EXPECT_EQ(b.remaining(kT0), 54u);
  EXPECT_EQ(b.until_full_ns(kT0), 6 * kSecond);
  EXPECT_EQ(b.remaining(kT0 + 2 * kSecond), 56u);
}

// Threads take from one bucket while advancing a shared fake clock; whatever the interleaving,
// what they got is at most the capacity plus the refills that fell inside the run.
TEST(TokenBucket, ManyThreadsNeverGetMoreThanCapacityPlusRefill) {
  constexpr uint64_t kCapacity = 100;
  constexpr int kThreads = 8, kAttempts = 20'000;
  constexpr uint64_t kStep = kNsPerMs;       // each attempt moves the clock 1 ms (0.1 token)
  TokenBucket b(kCapacity, kMinuteNs / 10);  // 100 per 6 s
  std::atomic<uint64_t> clock{kT0}, admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      uint64_t mine = 0;
      for (int i = 0; i < kAttempts; ++i) {
        if (b.try_take(1, clock.fetch_add(kStep, std::memory_order_relaxed)).ok) ++mine;
      }
      admitted.fetch_add(mine);
    });
  }
  for (auto& t : threads) t.join();
  const uint64_t elapsed = clock.load() - kT0;
  const uint64_t refill = elapsed / (kMinuteNs / 10 / kCapacity) + 1;  // refill instants crossed
  EXPECT_LE(admitted.load(), kCapacity + refill);
  EXPECT_GE(admitted.load(), refill / 2);  // and the bucket did let work through
}

}  // namespace
}  // namespace ringgate::admission
