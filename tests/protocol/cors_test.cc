#include "protocol/cors.h"

#include <gtest/gtest.h>

namespace ringgate::protocol {
namespace {

const std::vector<std::string> kAllowed = {"https://app.example.com", "http://localhost:5173"};

TEST(Cors, OnlyListedOriginsAreAllowedExactly) {
  EXPECT_EQ(cors_allow_origin("https://app.example.com", kAllowed), "https://app.example.com");
  EXPECT_EQ(cors_allow_origin("http://localhost:5173", kAllowed), "http://localhost:5173");
  EXPECT_EQ(cors_allow_origin("https://app.example.com.evil.test", kAllowed), "");
  EXPECT_EQ(cors_allow_origin("https://APP.example.com", kAllowed), "");
  EXPECT_EQ(cors_allow_origin("null", kAllowed), "");
  EXPECT_EQ(cors_allow_origin("", kAllowed), "");
  EXPECT_EQ(cors_allow_origin("https://x.test", {}), "");
}

TEST(Cors, WildcardAnswersStarNotTheClientsText) {
  EXPECT_EQ(cors_allow_origin("https://anything.test", {"*"}), "*");
  EXPECT_EQ(cors_allow_origin("", {"*"}), "");
}

TEST(Cors, PreflightKeepsOnlyTheHeadersSdksSend) {
  std::string out;
  size_t kept = append_allowed_request_headers(
      out,
      "Authorization, content-type,x-stainless-os, X-Stainless-Retry-Count, anthropic-version,"
      "anthropic-dangerous-direct-browser-access, x-api-key, cookie, x-evil, x-stainless-, a b");
  EXPECT_EQ(kept, 7u);
  EXPECT_EQ(out,
            "authorization, content-type, x-stainless-os, x-stainless-retry-count, "
            "anthropic-version, anthropic-dangerous-direct-browser-access, x-api-key");
}

TEST(Cors, PreflightAnswerNamesOriginMethodsHeadersAndMaxAge) {
  std::string out;
  append_cors_preflight(out, "https://app.example.com", "authorization,content-type");
  EXPECT_EQ(out,
            "Access-Control-Allow-Origin: https://app.example.com\r\n"
            "Vary: Origin\r\n"
            "Access-Control-Allow-Methods: GET, POST, DELETE, OPTIONS\r\n"
            "Access-Control-Allow-Headers: authorization, content-type\r\n"
            "Access-Control-Max-Age: 600\r\n");
}

TEST(Cors, PreflightWithNothingAcceptableStillAllowsTheBasics) {
  std::string out;
  append_cors_preflight(out, "*", "cookie, x-evil");
  EXPECT_NE(out.find("Access-Control-Allow-Headers: authorization, content-type\r\n"),
            std::string::npos);
}

TEST(Cors, ResponsesExposeRetryAndRateLimitHeaders) {
  std::string out;
  append_cors_response(out, "https://app.example.com");
  EXPECT_NE(out.find("Access-Control-Allow-Origin: https://app.example.com\r\n"),
            std::string::npos);
  for (const char* h : {"retry-after", "retry-after-ms", "x-should-retry", "x-request-id",
                        "x-ratelimit-remaining-tokens", "anthropic-ratelimit-requests-remaining"}) {
    EXPECT_NE(out.find(h), std::string::npos) << h;
  }
}

}  // namespace
}  // namespace ringgate::protocol
