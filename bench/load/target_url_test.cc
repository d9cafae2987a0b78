#include "bench/load/target_url.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace ringgate::bench {
namespace {

TEST(TargetUrl, HostPortAndPath) {
  TargetUrl url;
  ASSERT_EQ(parse_target_url("http://127.0.0.1:8080/v1/chat/completions?x=1", url), "");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 8080);
  EXPECT_EQ(url.path, "/v1/chat/completions?x=1");
  EXPECT_EQ(url.host_header, "127.0.0.1:8080");
}

TEST(TargetUrl, DefaultsPortAndPath) {
  TargetUrl url;
  ASSERT_EQ(parse_target_url("http://localhost", url), "");
  EXPECT_EQ(url.host, "localhost");
  EXPECT_EQ(url.port, 80);
  EXPECT_EQ(url.path, "/");
  ASSERT_EQ(parse_target_url("http://localhost?q", url), "");
  EXPECT_EQ(url.path, "/?q");
}

TEST(TargetUrl, Ipv6Literal) {
  TargetUrl url;
  ASSERT_EQ(parse_target_url("http://[::1]:9000/x", url), "");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 9000);
  EXPECT_EQ(url.host_header, "[::1]:9000");
}

TEST(TargetUrl, RejectsWhatItCannotDrive) {
  TargetUrl url;
  EXPECT_NE(parse_target_url("https://127.0.0.1/", url), "");
  EXPECT_NE(parse_target_url("ftp://127.0.0.1/", url), "");
  EXPECT_NE(parse_target_url("127.0.0.1:80", url), "");
  EXPECT_NE(parse_target_url("http://:80/", url), "");
  EXPECT_NE(parse_target_url("http://127.0.0.1:0/", url), "");
  EXPECT_NE(parse_target_url("http://127.0.0.1:65536/", url), "");
  EXPECT_NE(parse_target_url("http://127.0.0.1:8x/", url), "");
  EXPECT_NE(parse_target_url("http://127.0.0.1:/", url), "");
  EXPECT_NE(parse_target_url("http://[::1/", url), "");
  EXPECT_NE(parse_target_url("http://user:pw@127.0.0.1/", url), "");
}

TEST(TargetUrl, LoopbackClassification) {
  sockaddr_in in4{};
  in4.sin_family = AF_INET;
  inet_pton(AF_INET, "127.3.2.1", &in4.sin_addr);
  EXPECT_TRUE(is_loopback(reinterpret_cast<sockaddr*>(&in4)));
  inet_pton(AF_INET, "10.0.0.1", &in4.sin_addr);
  EXPECT_FALSE(is_loopback(reinterpret_cast<sockaddr*>(&in4)));
  inet_pton(AF_INET, "128.0.0.1", &in4.sin_addr);
  EXPECT_FALSE(is_loopback(reinterpret_cast<sockaddr*>(&in4)));

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::1", &in6.sin6_addr);
  EXPECT_TRUE(is_loopback(reinterpret_cast<sockaddr*>(&in6)));
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
  EXPECT_TRUE(is_loopback(reinterpret_cast<sockaddr*>(&in6)));
  inet_pton(AF_INET6, "::ffff:8.8.8.8", &in6.sin6_addr);
  EXPECT_FALSE(is_loopback(reinterpret_cast<sockaddr*>(&in6)));
  inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
  EXPECT_FALSE(is_loopback(reinterpret_cast<sockaddr*>(&in6)));
}

TEST(TargetUrl, ResolveRefusesRemoteUnlessAllowed) {
  TargetUrl url;
  TargetAddress address;
  // A literal needs no DNS, so this stays on the machine.
  ASSERT_EQ(parse_target_url("http://192.0.2.1:80/", url), "");
  EXPECT_NE(resolve_target(url, false, address), "");
  EXPECT_EQ(resolve_target(url, true, address), "");

  ASSERT_EQ(parse_target_url("http://127.0.0.1:8080/", url), "");
  ASSERT_EQ(resolve_target(url, false, address), "");
  const auto* in4 = reinterpret_cast<const sockaddr_in*>(&address.storage);
  EXPECT_EQ(in4->sin_family, AF_INET);
  EXPECT_EQ(ntohs(in4->sin_port), 8080);
}

}  // namespace
}  // namespace ringgate::bench
