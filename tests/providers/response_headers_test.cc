// The upstream response headers a translated answer carries: retry hints as they are, rate
// limits rewritten between OpenAI's and Anthropic's names and reset formats.
#include "providers/response_headers.h"

#include <gtest/gtest.h>

#include <vector>

namespace ringgate::providers {
namespace {

using protocol::ApiFront;
using protocol::HttpHeader;

// 2026-12-02T03:04:05Z
constexpr int64_t kNowS = 1796180645;
constexpr int64_t kNowMs = kNowS * 1000;

std::string translated(const std::vector<HttpHeader>& h, ApiFront from, ApiFront to,
                       int64_t now_ms = kNowMs) {
  std::string out;
  translate_rate_limit_headers(h, from, to, now_ms, out);
  return out;
}

std::string rfc3339(int64_t s) {
  std::string out;
  append_rfc3339(out, s);
  return out;
}

uint64_t duration(std::string_view s) {
  uint64_t ms = 12345;
  EXPECT_TRUE(parse_openai_duration(s, ms)) << s;
  return ms;
}

TEST(OpenAiDuration, ReadsWhatOpenAiWrites) {
  EXPECT_EQ(duration("0s"), 0u);
  EXPECT_EQ(duration("0"), 0u);
  EXPECT_EQ(duration("20ms"), 20u);
  EXPECT_EQ(duration("1s"), 1000u);
  EXPECT_EQ(duration("1.5s"), 1500u);
  EXPECT_EQ(duration("6m0s"), 360000u);
  EXPECT_EQ(duration("1h0m0s"), 3600000u);
  EXPECT_EQ(duration("23h59m59.999s"), 86399999u);
  EXPECT_EQ(duration("1m30.5s"), 90500u);
  EXPECT_EQ(duration("1.0005s"), 1001u);  // never shortened: rounded up to the millisecond
  EXPECT_EQ(duration("900us"), 1u);
  EXPECT_EQ(duration("900\xC2\xB5s"), 1u);
  EXPECT_EQ(duration("1ns"), 1u);
  EXPECT_EQ(duration(".5s"), 500u);
}

TEST(OpenAiDuration, RefusesAnythingElse) {
  uint64_t ms = 0;
  for (std::string_view bad : {"", "s", "1", "1x", "-1s", "1.s.", "1 s", "1s ", ".s", "5d",
                               "99999999999999999999s", "1000000000h", "1e3s", "1ss"}) {
    EXPECT_FALSE(parse_openai_duration(bad, ms)) << bad;
  }
}

TEST(OpenAiDuration, FormatAndParseAgree) {
  for (uint64_t ms : {0ull, 1ull, 999ull, 1000ull, 1001ull, 59999ull, 60000ull, 3599999ull,
                      3600000ull, 86400000ull * 400, 123456789ull}) {
    std::string s;
    append_openai_duration(s, ms);
    uint64_t back = 0;
    ASSERT_TRUE(parse_openai_duration(s, back)) << s;
    EXPECT_EQ(back, ms) << s;
  }
}

TEST(Rfc3339, ReadsZuluOffsetsAndFractions) {
  int64_t ms = 0;
  ASSERT_TRUE(parse_rfc3339("2026-12-02T03:04:05Z", ms));
  EXPECT_EQ(ms, kNowMs);
  ASSERT_TRUE(parse_rfc3339("2026-12-02t03:04:05.25z", ms));
  EXPECT_EQ(ms, kNowMs + 250);
  ASSERT_TRUE(parse_rfc3339("2026-12-02T04:04:05+01:00", ms));
  EXPECT_EQ(ms, kNowMs);
  ASSERT_TRUE(parse_rfc3339("2026-12-01T22:34:05-04:30", ms));
  EXPECT_EQ(ms, kNowMs);
  ASSERT_TRUE(parse_rfc3339("1970-01-01T00:00:00Z", ms));
  EXPECT_EQ(ms, 0);
  ASSERT_TRUE(parse_rfc3339("2024-02-29T00:00:00Z", ms));  // a leap day
  EXPECT_EQ(rfc3339(ms / 1000), "2024-02-29T00:00:00Z");
}

TEST(Rfc3339, RefusesAnythingElse) {
  int64_t ms = 0;
  for (std::string_view bad :
       {"", "2026-12-02", "2026-12-02T03:04:05", "2026-12-02 03:04:05Z", "2026-13-02T03:04:05Z",
        "2025-02-29T00:00:00Z", "2026-12-02T24:00:00Z", "2026-12-02T03:60:00Z",
        "2026-12-02T03:04:05.Z", "2026-12-02T03:04:05+0100", "2026-12-02T03:04:05Zx",
        "Wed, 02 Dec 2026 03:04:05 GMT", "2026-12-02T03:04:05+24:00"}) {
    EXPECT_FALSE(parse_rfc3339(bad, ms)) << bad;
  }
}

TEST(RateLimitTranslation, SameDialectCopiesEveryRateLimitHeader) {
  const std::vector<HttpHeader> h = {{"content-type", "application/json"},
                                     {"anthropic-ratelimit-unified-status", "allowed"},
                                     {"anthropic-ratelimit-requests-limit", "50"},
                                     {"retry-after", "3"}};
  EXPECT_EQ(translated(h, ApiFront::kAnthropic, ApiFront::kAnthropic),
            "anthropic-ratelimit-unified-status: allowed\r\n"
            "anthropic-ratelimit-requests-limit: 50\r\n");
}

TEST(RateLimitTranslation, OpenAiToAnthropic) {
  const std::vector<HttpHeader> h = {
      {"x-ratelimit-limit-requests", "500"},        {"x-ratelimit-remaining-requests", "499"},
      {"x-ratelimit-reset-requests", "120ms"},      {"X-RateLimit-Limit-Tokens", "30000"},
      {"x-ratelimit-remaining-tokens", "29000"},    {"x-ratelimit-reset-tokens", "6m0s"},
      {"x-ratelimit-limit-tokens_usage_based", "1"}};
  EXPECT_EQ(translated(h, ApiFront::kOpenAi, ApiFront::kAnthropic),
            "anthropic-ratelimit-requests-limit: 500\r\n"
            "anthropic-ratelimit-requests-remaining: 499\r\n"
            "anthropic-ratelimit-requests-reset: " +
                rfc3339(kNowS + 1) +  // 120 ms from now, rounded up to the second
                "\r\n"
                "anthropic-ratelimit-tokens-limit: 30000\r\n"
                "anthropic-ratelimit-tokens-remaining: 29000\r\n"
                "anthropic-ratelimit-tokens-reset: " +
                rfc3339(kNowS + 360) + "\r\n");
}

TEST(RateLimitTranslation, AnthropicToOpenAi) {
  const std::vector<HttpHeader> h = {{"anthropic-ratelimit-requests-limit", "50"},
                                     {"anthropic-ratelimit-requests-remaining", "49"},
                                     {"anthropic-ratelimit-requests-reset", "2026-12-02T03:04:06Z"},
                                     {"anthropic-ratelimit-tokens-limit", "80000"},
                                     {"anthropic-ratelimit-tokens-remaining", "79000"},
                                     {"anthropic-ratelimit-tokens-reset", "2026-12-02T03:10:05Z"},
                                     {"anthropic-ratelimit-input-tokens-remaining", "1"},
                                     {"anthropic-ratelimit-unified-status", "allowed"}};
  EXPECT_EQ(translated(h, ApiFront::kAnthropic, ApiFront::kOpenAi),
            "x-ratelimit-limit-requests: 50\r\nx-ratelimit-remaining-requests: 49\r\n"
            "x-ratelimit-reset-requests: 1s\r\nx-ratelimit-limit-tokens: 80000\r\n"
            "x-ratelimit-remaining-tokens: 79000\r\nx-ratelimit-reset-tokens: 6m0s\r\n");
}

TEST(RateLimitTranslation, WithoutATokensGroupTheTighterOfInputAndOutput) {
  const std::vector<HttpHeader> h = {
      {"anthropic-ratelimit-input-tokens-limit", "40000"},
      {"anthropic-ratelimit-input-tokens-remaining", "39000"},
      {"anthropic-ratelimit-input-tokens-reset", "2026-12-02T03:04:15Z"},
      {"anthropic-ratelimit-output-tokens-limit", "8000"},
      {"anthropic-ratelimit-output-tokens-remaining", "100"},
      {"anthropic-ratelimit-output-tokens-reset", "2026-12-02T03:05:05Z"}};
  EXPECT_EQ(translated(h, ApiFront::kAnthropic, ApiFront::kOpenAi),
            "x-ratelimit-limit-tokens: 8000\r\nx-ratelimit-remaining-tokens: 100\r\n"
            "x-ratelimit-reset-tokens: 1m0s\r\n");
}

TEST(RateLimitTranslation, AResetInThePastIsZeroAndBadValuesStayBehind) {
  const std::vector<HttpHeader> h = {{"anthropic-ratelimit-requests-limit", "lots"},
                                     {"anthropic-ratelimit-requests-remaining", "-1"},
                                     {"anthropic-ratelimit-requests-reset", "2020-01-01T00:00:00Z"},
                                     {"anthropic-ratelimit-tokens-reset", "soon"}};
  EXPECT_EQ(translated(h, ApiFront::kAnthropic, ApiFront::kOpenAi),
            "x-ratelimit-reset-requests: 0ms\r\n");
  EXPECT_EQ(translated({{"x-ratelimit-reset-tokens", "6 minutes"}}, ApiFront::kOpenAi,
                       ApiFront::kAnthropic),
            "");
}

TEST(CarriedHeaders, RetryHintsAsTheyAreRateLimitsOnlyWhenAsked) {
  const std::vector<HttpHeader> h = {{"Retry-After", "2"},
                                     {"retry-after-ms", "1500"},
                                     {"x-should-retry", "false"},
                                     {"x-request-id", "req_up"},
                                     {"request-id", "req_up"},
                                     {"openai-processing-ms", "5"},
                                     {"x-ratelimit-remaining-requests", "7"}};
  CarriedHeaderOptions o;
  o.from = ApiFront::kOpenAi;
  o.to = ApiFront::kAnthropic;
  o.now_unix_ms = kNowMs;
  std::string with, without;
  append_carried_headers(h, o, with);
  o.rate_limits = false;
  append_carried_headers(h, o, without);
  EXPECT_EQ(without, "Retry-After: 2\r\nretry-after-ms: 1500\r\nx-should-retry: false\r\n");
  EXPECT_EQ(with, without + "anthropic-ratelimit-requests-remaining: 7\r\n");
}

TEST(CarriedHeaders, RateLimitNames) {
  EXPECT_TRUE(is_rate_limit_header("X-RateLimit-Remaining-Requests"));
  EXPECT_TRUE(is_rate_limit_header("anthropic-ratelimit-unified-reset"));
  EXPECT_FALSE(is_rate_limit_header("x-ratelimi"));
  EXPECT_FALSE(is_rate_limit_header("retry-after"));
}

}  // namespace
}  // namespace ringgate::providers
