// Retry policy: only 408, 429 and 5xx are retried; full-jitter backoff stays in its bounds and
// uses them; Retry-After in its three shapes, garbage refused, everything capped at an hour.
#include "engine/upstream/retry_policy.h"

#include <gtest/gtest.h>

#include <random>

namespace ringgate::upstream {
namespace {

// seed-defect: 002-3 (no retry on 4xx other than 408 and 429, 401 and 403 included)
TEST(RetryPolicy, OnlyTimeoutRateLimitAndServerErrorsAreRetryable) {
  for (int s : {400, 401, 402, 403, 404, 405, 409, 413, 422, 451})
    EXPECT_FALSE(retryable_status(s)) << s;
  for (int s : {200, 201, 204, 301, 304, 499, 600, 0, -1}) EXPECT_FALSE(retryable_status(s)) << s;
  for (int s : {408, 429, 500, 502, 503, 504, 529, 599}) EXPECT_TRUE(retryable_status(s)) << s;
}

TEST(RetryPolicy, BackoffIsFullJitterUnderTheExponentialCeiling) {
  std::mt19937_64 rng(42);
  for (uint32_t attempt = 0; attempt < 40; ++attempt) {
    const uint64_t ceiling = std::min<uint64_t>(10000, uint64_t{100} << std::min(attempt, 32u));
    uint32_t lo = UINT32_MAX, hi = 0;
    for (int i = 0; i < 2000; ++i) {
      const uint32_t b = backoff_ms(attempt, 100, 10000, rng());
      ASSERT_LE(b, ceiling);
      lo = std::min(lo, b);
      hi = std::max(hi, b);
    }
    // Full jitter spreads over the whole range, not a fixed delay.
    EXPECT_LT(lo, ceiling / 10 + 1) << attempt;
    EXPECT_GT(hi, ceiling * 9 / 10) << attempt;
  }
}

TEST(RetryPolicy, BackoffEndsOfTheRangeAreReachable) {
  EXPECT_EQ(backoff_ms(0, 100, 10000, 0), 0u);
  EXPECT_EQ(backoff_ms(0, 100, 10000, 100), 100u);
  EXPECT_EQ(backoff_ms(3, 100, 10000, 800), 800u);
  EXPECT_EQ(backoff_ms(3, 100, 10000, 801), 0u);
  EXPECT_EQ(backoff_ms(1000, 100, 10000, 10000), 10000u);  // a huge attempt stays capped
  EXPECT_EQ(backoff_ms(5, 0, 10000, 12345), 0u);
}

constexpr int64_t kNow = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(RetryPolicy, RetryAfterMsComesFirst) {
  EXPECT_EQ(parse_retry_after_ms("30", "1500", kNow), 1500u);
  EXPECT_EQ(parse_retry_after_ms("", " 20 ", kNow), 20u);
  EXPECT_EQ(parse_retry_after_ms("", "20.001", kNow), 21u);  // a fraction rounds up
  EXPECT_EQ(parse_retry_after_ms("", "20.000", kNow), 20u);
  EXPECT_EQ(parse_retry_after_ms("3", "soon", kNow), 3000u);  // garbage falls back
  EXPECT_EQ(parse_retry_after_ms("3", "-5", kNow), 3000u);
}

TEST(RetryPolicy, RetryAfterSeconds) {
  EXPECT_EQ(parse_retry_after_ms("0", "", kNow), 0u);
  EXPECT_EQ(parse_retry_after_ms("120", "", kNow), 120000u);
  EXPECT_EQ(parse_retry_after_ms("\t7 ", "", kNow), 7000u);
}

TEST(RetryPolicy, RetryAfterHttpDate) {
  EXPECT_EQ(parse_retry_after_ms("Sun, 06 Nov 1994 08:50:07 GMT", "", kNow), 30000u);
  EXPECT_EQ(parse_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", "", kNow), 0u);
  EXPECT_EQ(parse_retry_after_ms("Sat, 05 Nov 1994 08:49:37 GMT", "", kNow), 0u);  // past
  EXPECT_EQ(parse_retry_after_ms("Thu, 29 Feb 2024 00:00:00 GMT", "", 1709164800 - 2), 2000u);
  EXPECT_EQ(parse_retry_after_ms("Wed, 31 Dec 1969 23:59:59 GMT", "", -5), 4000u);
}

TEST(RetryPolicy, GarbageIsNullopt) {
  for (const char* v :
       {"", " ", "soon", "-1", "1.5", "1e3", "12abc", "0x10", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 31 Nov 1994 08:49:37 GMT",
        "Sun, 29 Feb 1900 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Now 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT"})
    EXPECT_FALSE(parse_retry_after_ms(v, "", kNow)) << v;
  for (const char* v : {"1.", ".5", "1.x", "abc", "1 2"})
    EXPECT_FALSE(parse_retry_after_ms("", v, kNow)) << v;
}

TEST(RetryPolicy, EverythingIsCappedAtAnHour) {
  EXPECT_EQ(parse_retry_after_ms("3601", "", kNow), kMaxRetryAfterMs);
  EXPECT_EQ(parse_retry_after_ms("99999999999999999999999999", "", kNow), kMaxRetryAfterMs);
  EXPECT_EQ(parse_retry_after_ms("", "99999999999999999999999999.9", kNow), kMaxRetryAfterMs);
  EXPECT_EQ(parse_retry_after_ms("Fri, 31 Dec 9999 23:59:59 GMT", "", kNow), kMaxRetryAfterMs);
  EXPECT_EQ(parse_retry_after_ms("Fri, 31 Dec 9999 23:59:59 GMT", "", INT64_MIN), kMaxRetryAfterMs);
}

}  // namespace
}  // namespace ringgate::upstream
