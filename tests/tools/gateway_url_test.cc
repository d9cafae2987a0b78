// --url for `ringgate top` and `ringgate deployments`: http://HOST:PORT only, so a typo is said
// at once instead of becoming a host name that never answers.
#include "tools/cli/gateway_url.h"

#include <gtest/gtest.h>

namespace ringgate::cli {
namespace {

TEST(GatewayUrl, ReadsHostAndPort) {
  auto a = parse_gateway_url("http://127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, "8080");
  a = parse_gateway_url("gw.internal:9000/");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "gw.internal");
  EXPECT_EQ(a->port, "9000");
}

TEST(GatewayUrl, UnbracketsIpv6) {
  auto a = parse_gateway_url("http://[::1]:8080/");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, "8080");
}

TEST(GatewayUrl, RefusesWhatIsNotHttpHostPort) {
  for (const char* bad : {"", "http://", "http://:8080", "http://host", "http://host:",
                          "https://host:8443", "ftp://host:21", "http://host:80a", "http://host:0",
                          "http://host:65536", "http://host:8080/v1", "http://user@host:8080",
                          "http://::1:8080", "http://[::1:8080", "http://[]:8080", "host :8080"}) {
    EXPECT_FALSE(parse_gateway_url(bad)) << bad;
  }
}

}  // namespace
}  // namespace ringgate::cli
