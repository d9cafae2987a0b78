#include "engine/gateway/header_policy.h"

#include <gtest/gtest.h>

#include <vector>

#include "protocol/http_header.h"

namespace ringgate::gateway {
namespace {

// seed-defect: 004-P4 — client credentials never travel upstream; the provider key replaces them.
TEST(HeaderPolicy, CredentialsAndHopByHopHeadersStayBehind) {
  for (const char* h : {"Authorization", "x-api-key", "Cookie", "Connection", "Transfer-Encoding",
                        "Content-Length", "Host", "Expect", "Accept-Encoding", "X-Forwarded-For",
                        "Proxy-Authorization", "TE", "Upgrade"}) {
    EXPECT_FALSE(forward_to_upstream(h)) << h;
  }
  for (const char* h : {"Content-Type", "Accept", "User-Agent", "OpenAI-Organization",
                        "anthropic-version", "anthropic-beta", "x-stainless-lang"}) {
    EXPECT_TRUE(forward_to_upstream(h)) << h;
  }
}

TEST(HeaderPolicy, ResponseFramingIsTheGatewaysOwn) {
  for (const char* h :
       {"Transfer-Encoding", "Content-Length", "Connection", "Set-Cookie", "Keep-Alive"}) {
    EXPECT_FALSE(forward_to_client(h)) << h;
  }
  for (const char* h : {"Content-Type", "openai-processing-ms", "retry-after", "request-id"}) {
    EXPECT_TRUE(forward_to_client(h)) << h;
  }
}

// A caller under a gateway limit reads its own virtual key's limits, never the provider key's;
// an upstream's CORS policy never reaches a client (the gateway answers CORS).
TEST(HeaderPolicy, RateLimitAndCorsHeadersAreTheGatewaysOwn) {
  for (const char* h : {"x-ratelimit-remaining-requests", "X-RateLimit-Limit-Tokens",
                        "anthropic-ratelimit-requests-remaining", "Access-Control-Allow-Origin",
                        "access-control-expose-headers"}) {
    EXPECT_FALSE(forward_to_client(h)) << h;
  }
  for (const char* h : {"Access-Control-Allow-Origin", "access-control-expose-headers"}) {
    EXPECT_FALSE(forward_to_client(h, /*upstream_rate_limits=*/true)) << h;
  }
}

// Without a gateway limit on the caller, the upstream's rate-limit headers are all it has.
TEST(HeaderPolicy, UpstreamRateLimitsPassWhenTheGatewaySetsNone) {
  for (const char* h : {"x-ratelimit-remaining-requests", "X-RateLimit-Reset-Tokens",
                        "anthropic-ratelimit-tokens-reset", "anthropic-ratelimit-unified-status"}) {
    EXPECT_TRUE(forward_to_client(h, /*upstream_rate_limits=*/true)) << h;
  }
}

// A CGI-style back end folds '-' and '_' onto one name (HTTP_X_API_KEY), so X_Api_Key could stand
// in for a header the gateway drops or checks under its dashed name.
TEST(HeaderPolicy, NamesWithUnderscoresStayBehind) {
  for (const char* h : {"X_Api_Key", "x_api_key", "Authorization_", "X-Real_IP", "_"}) {
    EXPECT_FALSE(forward_to_upstream(h)) << h;
  }
}

using protocol::HttpHeader;

// RFC 9110 section 7.6.1: what a Connection header names is meant for this hop only.
TEST(HeaderPolicy, HeadersNamedInTheClientsConnectionHeaderStayBehind) {
  const std::vector<HttpHeader> request = {{"Content-Type", "application/json"},
                                           {"Connection", "keep-alive, X-Secret-Hop"},
                                           {"X-Secret-Hop", "1"},
                                           {"connection", " x-second ,close"},
                                           {"X-Second", "2"},
                                           {"X-Kept", "3"}};
  const ConnectionNamed hop(request);
  EXPECT_FALSE(forward_to_upstream("X-Secret-Hop", hop));
  EXPECT_FALSE(forward_to_upstream("x-secret-hop", hop));
  EXPECT_FALSE(forward_to_upstream("X-SECOND", hop));
  EXPECT_FALSE(forward_to_upstream("X_Kept", hop));
  EXPECT_TRUE(forward_to_upstream("X-Kept", hop));
  EXPECT_TRUE(forward_to_upstream("Content-Type", hop));
  EXPECT_FALSE(forward_to_upstream("Authorization", hop));
}

TEST(HeaderPolicy, WithoutAConnectionHeaderNothingExtraIsDropped) {
  const std::vector<HttpHeader> request = {{"X-Kept", "1"}, {"Content-Type", "text/plain"}};
  const ConnectionNamed hop(request);
  EXPECT_TRUE(forward_to_upstream("X-Kept", hop));
  EXPECT_TRUE(forward_to_upstream("Content-Type", hop));
  EXPECT_FALSE(ConnectionNamed(std::vector<HttpHeader>{}).contains("x"));
}

TEST(HeaderPolicy, HeadersNamedInTheUpstreamsConnectionHeaderStayBehind) {
  const std::vector<HttpHeader> response = {
      {"Connection", "X-Up-Hop"}, {"X-Up-Hop", "secret"}, {"X-Up-Kept", "yes"}};
  const ConnectionNamed hop(response);
  EXPECT_FALSE(forward_to_client("X-Up-Hop", hop));
  EXPECT_TRUE(forward_to_client("X-Up-Kept", hop));
  EXPECT_FALSE(forward_to_client("Set-Cookie", hop));
}

}  // namespace
}  // namespace ringgate::gateway
