#include "engine/pipeline/rate_limit_headers.h"

#include <gtest/gtest.h>

namespace ringgate::pipeline {
namespace {

std::string duration(uint64_t ms) {
  std::string out;
  append_openai_duration(out, ms);
  return out;
}

std::string retry_after(uint64_t ms) {
  std::string out;
  append_retry_after(out, ms);
  return out;
}

TEST(RateLimitHeaders, OpenAiResetsAreDurationsAsOpenAiWritesThem) {
  EXPECT_EQ(duration(0), "0ms");
  EXPECT_EQ(duration(20), "20ms");
  EXPECT_EQ(duration(1000), "1s");
  EXPECT_EQ(duration(1500), "1.5s");
  EXPECT_EQ(duration(1005), "1.005s");
  EXPECT_EQ(duration(360'000), "6m0s");
  EXPECT_EQ(duration(3'600'000), "1h0m0s");
  EXPECT_EQ(duration(86'399'999), "23h59m59.999s");
}

TEST(RateLimitHeaders, RetryAfterIsWholeSecondsRoundedUpAndNeverZero) {
  EXPECT_EQ(retry_after(1), "Retry-After: 1\r\nretry-after-ms: 1\r\n");
  EXPECT_EQ(retry_after(1000), "Retry-After: 1\r\nretry-after-ms: 1000\r\n");
  EXPECT_EQ(retry_after(1001), "Retry-After: 2\r\nretry-after-ms: 1001\r\n");
  EXPECT_EQ(retry_after(0), "Retry-After: 1\r\nretry-after-ms: 0\r\n");
}

TEST(RateLimitHeaders, EachFrontGetsItsOwnDialect) {
  admission::LimitHeaders h;
  h.requests = {true, 60, 59, 1000};
  h.tokens = {true, 100000, 99000, 600};
  std::string openai, anthropic;
  append_rate_limit_headers(openai, h, protocol::ApiFront::kOpenAi, 0);
  append_rate_limit_headers(anthropic, h, protocol::ApiFront::kAnthropic, 0);
  EXPECT_EQ(openai,
            "x-ratelimit-limit-requests: 60\r\nx-ratelimit-remaining-requests: 59\r\n"
            "x-ratelimit-reset-requests: 1s\r\nx-ratelimit-limit-tokens: 100000\r\n"
            "x-ratelimit-remaining-tokens: 99000\r\nx-ratelimit-reset-tokens: 600ms\r\n");
  EXPECT_EQ(
      anthropic,
      "anthropic-ratelimit-requests-limit: 60\r\nanthropic-ratelimit-requests-remaining: 59\r\n"
      "anthropic-ratelimit-requests-reset: 1970-01-01T00:00:01Z\r\n"
      "anthropic-ratelimit-tokens-limit: 100000\r\nanthropic-ratelimit-tokens-remaining: 99000\r\n"
      "anthropic-ratelimit-tokens-reset: 1970-01-01T00:00:01Z\r\n");
}

TEST(RateLimitHeaders, ACallerWithoutLimitsGetsNone) {
  std::string out;
  append_rate_limit_headers(out, {}, protocol::ApiFront::kOpenAi, 0);
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace ringgate::pipeline
