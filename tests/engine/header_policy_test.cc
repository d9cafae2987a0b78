#include "engine/gateway/header_policy.h"

#include <gtest/gtest.h>

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
  for (const char* h : {"Content-Type", "openai-processing-ms", "x-ratelimit-remaining-requests",
                        "retry-after", "request-id"}) {
    EXPECT_TRUE(forward_to_client(h)) << h;
  }
}

}  // namespace
}  // namespace ringgate::gateway
