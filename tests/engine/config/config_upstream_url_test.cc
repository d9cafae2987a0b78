// Upstream URL parsing and the SSRF address policy (seed-defect 004-P12).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>

#include "engine/config/upstream_url.h"

namespace ringgate::config {
namespace {

UpstreamUrl parse_ok(std::string_view url) {
  std::string err;
  auto u = parse_upstream_url(url, err);
  EXPECT_TRUE(u.has_value()) << url << ": " << err;
  return u ? *u : UpstreamUrl{};
}

std::string parse_error(std::string_view url) {
  std::string err;
  EXPECT_FALSE(parse_upstream_url(url, err).has_value()) << url;
  return err;
}

TEST(UpstreamUrl, Accepted) {
  UpstreamUrl a = parse_ok("http://127.0.0.1:9099/v1");
  EXPECT_FALSE(a.tls);
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 9099);
  EXPECT_EQ(a.base_path, "/v1");
  EXPECT_EQ(a.authority(), "127.0.0.1:9099");

  UpstreamUrl b = parse_ok("HTTPS://API.OpenAI.com/v1//");
  EXPECT_TRUE(b.tls);
  EXPECT_EQ(b.host, "api.openai.com");
  EXPECT_EQ(b.port, 443);
  EXPECT_EQ(b.base_path, "/v1");
  EXPECT_EQ(b.authority(), "api.openai.com");

  UpstreamUrl c = parse_ok("http://[::1]:8000");
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 8000);
  EXPECT_EQ(c.base_path, "");
  EXPECT_EQ(c.authority(), "[::1]:8000");

  UpstreamUrl d = parse_ok("http://vllm.internal/openai/deployments/x%2Fy/v1");
  EXPECT_EQ(d.port, 80);
  EXPECT_EQ(d.base_path, "/openai/deployments/x%2Fy/v1");

  // Private and loopback addresses are legitimate upstreams (vLLM, Ollama, the mock).
  parse_ok("http://10.0.0.5:11434/v1");
  parse_ok("http://192.168.1.20:8000/v1");
  parse_ok("http://localhost:9099/v1");
}

TEST(UpstreamUrl, Refused) {
  EXPECT_EQ(parse_error("127.0.0.1:9099/v1"), "URL must start with http:// or https://");
  EXPECT_EQ(parse_error("file:///etc/passwd"), "URL scheme must be http or https");
  EXPECT_EQ(parse_error("gopher://127.0.0.1/"), "URL scheme must be http or https");
  EXPECT_EQ(parse_error("http://"), "URL must name a host");
  EXPECT_EQ(parse_error("http://:80/v1"), "URL must name a host");
  EXPECT_EQ(parse_error("http://user@host/v1"),
            "URL must not contain credentials (user@host); use api_key = \"env:NAME\"");
  EXPECT_EQ(parse_error("http://host/v1?api-version=1"),
            "URL must not have a query string or fragment");
  EXPECT_EQ(parse_error("http://host/v1 x"),
            "URL must not contain spaces, control or non-ASCII characters");
  EXPECT_EQ(parse_error("http://host:99999/"), "URL port must be a number from 1 to 65535");
  EXPECT_EQ(parse_error("http://host:/"), "URL port must be a number from 1 to 65535");
  EXPECT_EQ(parse_error("http://host:8a/"), "URL port must be a number from 1 to 65535");
  EXPECT_EQ(parse_error("http://[::1/"), "URL has an unterminated IPv6 address");
  EXPECT_EQ(parse_error("http://[::1]x/"), "URL has unexpected characters after the IPv6 address");
  EXPECT_EQ(parse_error("http://[zz::1]/"), "URL has an invalid IPv6 address");
  EXPECT_EQ(parse_error("http://ho$t/"), "URL host must be a DNS name or an IP address");
  EXPECT_EQ(parse_error("http://a..b/"), "URL host must be a DNS name or an IP address");
  EXPECT_EQ(parse_error("http://host/v1/{x}"),
            "URL path has characters that must be percent-encoded");
  EXPECT_EQ(parse_error("http://host/v1/%zz"),
            "URL path has characters that must be percent-encoded");
}

// seed-defect: 004-P12
TEST(UpstreamUrl, MetadataAndLinkLocalAddressesRefused) {
  const std::string forbidden =
      "URL host is a link-local, metadata or non-unicast address, which upstreams may not use";
  EXPECT_EQ(parse_error("http://169.254.169.254/latest/meta-data"), forbidden);
  EXPECT_EQ(parse_error("http://169.254.0.1/"), forbidden);
  EXPECT_EQ(parse_error("http://100.100.100.200/"), forbidden);
  EXPECT_EQ(parse_error("http://0.0.0.0:9099/"), forbidden);
  EXPECT_EQ(parse_error("http://224.0.0.1/"), forbidden);
  EXPECT_EQ(parse_error("http://[fe80::1]/"), forbidden);
  EXPECT_EQ(parse_error("http://[::ffff:169.254.169.254]/"), forbidden);
  EXPECT_EQ(parse_error("http://[fd00:ec2::254]/"), forbidden);
  EXPECT_EQ(parse_error("http://[::]/"), forbidden);
  EXPECT_EQ(parse_error("http://metadata.google.internal/"),
            "URL host is a cloud metadata service name, which upstreams may not use");
  EXPECT_EQ(parse_error("http://METADATA.google.internal./"),
            "URL host is a cloud metadata service name, which upstreams may not use");
  // The resolver would read these as 169.254.169.254; they are refused before it can.
  const std::string numeric =
      "URL host looks numeric but is not a dotted-quad IPv4 address (write a.b.c.d)";
  EXPECT_EQ(parse_error("http://2852039166/"), numeric);
  EXPECT_EQ(parse_error("http://0xa9fea9fe/"), numeric);
  EXPECT_EQ(parse_error("http://0251.0376.0251.0376/"), numeric);
  EXPECT_EQ(parse_error("http://169.254.43518/"), numeric);
  EXPECT_EQ(parse_error("http://127.1/"), numeric);
}

sockaddr_storage v4(const char* text) {
  sockaddr_storage ss{};
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  in->sin_family = AF_INET;
  EXPECT_EQ(inet_pton(AF_INET, text, &in->sin_addr), 1);
  return ss;
}

sockaddr_storage v6(const char* text) {
  sockaddr_storage ss{};
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  in6->sin6_family = AF_INET6;
  EXPECT_EQ(inet_pton(AF_INET6, text, &in6->sin6_addr), 1);
  return ss;
}

bool forbidden(const sockaddr_storage& ss) {
  return is_forbidden_upstream_address(reinterpret_cast<const sockaddr*>(&ss));
}

// The same policy, for the engine to apply to DNS answers.
// seed-defect: 004-P12
TEST(UpstreamAddressPolicy, ResolvedAddresses) {
  EXPECT_TRUE(forbidden(v4("169.254.169.254")));
  EXPECT_TRUE(forbidden(v4("0.0.0.0")));
  EXPECT_TRUE(forbidden(v4("255.255.255.255")));
  EXPECT_TRUE(forbidden(v6("fe80::abcd")));
  EXPECT_TRUE(forbidden(v6("::ffff:169.254.169.254")));
  EXPECT_TRUE(forbidden(v6("fd00:ec2::254")));
  EXPECT_FALSE(forbidden(v4("127.0.0.1")));
  EXPECT_FALSE(forbidden(v4("10.1.2.3")));
  EXPECT_FALSE(forbidden(v4("104.18.7.192")));
  EXPECT_FALSE(forbidden(v6("::1")));
  EXPECT_FALSE(forbidden(v6("2606:4700::6810:7c0")));
  sockaddr_storage unix_addr{};
  unix_addr.ss_family = AF_UNIX;
  EXPECT_TRUE(forbidden(unix_addr));
}

// IPv4 addresses embedded in translation and tunnelling prefixes reach the same IPv4 host, so
// they meet the IPv4 blocklist: NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48, read as
// its last 32 bits), 6to4 (2002::/16, bits 16..47) and Teredo (2001::/32: the server at bits
// 32..63, the client as the last 32 bits inverted).
// seed-defect: 004-P12
TEST(UpstreamAddressPolicy, EmbeddedIpv4IsCheckedAgainstTheIpv4Blocklist) {
  // NAT64 well-known prefix.
  EXPECT_TRUE(forbidden(v6("64:ff9b::169.254.169.254")));
  EXPECT_TRUE(forbidden(v6("64:ff9b::a9fe:1")));
  EXPECT_TRUE(forbidden(v6("64:ff9b::100.100.100.200")));
  EXPECT_TRUE(forbidden(v6("64:ff9b::0.0.0.0")));
  EXPECT_TRUE(forbidden(v6("64:ff9b::224.0.0.1")));
  EXPECT_FALSE(forbidden(v6("64:ff9b::8.8.8.8")));
  EXPECT_FALSE(forbidden(v6("64:ff9b::127.0.0.1")));  // IPv4 loopback is allowed, so is this
  // NAT64 local-use prefix: any address in the /48, IPv4 in the last 32 bits.
  EXPECT_TRUE(forbidden(v6("64:ff9b:1::169.254.169.254")));
  EXPECT_TRUE(forbidden(v6("64:ff9b:1:abcd:ef01:2345:a9fe:a9fe")));
  EXPECT_FALSE(forbidden(v6("64:ff9b:1::8.8.8.8")));
  // 6to4.
  EXPECT_TRUE(forbidden(v6("2002:a9fe:a9fe::1")));
  EXPECT_TRUE(forbidden(v6("2002:a83f:8110:1:2:3:4:5")));  // 168.63.129.16
  EXPECT_TRUE(forbidden(v6("2002::1")));                   // 0.0.0.0
  EXPECT_FALSE(forbidden(v6("2002:808:808::1")));
  // Teredo: client 169.254.169.254 is stored inverted as 5601:5601.
  EXPECT_TRUE(forbidden(v6("2001:0:4136:e378:8000:63bf:5601:5601")));
  // Teredo: server 169.254.169.254, client 8.8.8.8 (f7f7:f7f7).
  EXPECT_TRUE(forbidden(v6("2001:0:a9fe:a9fe::f7f7:f7f7")));
  // RFC 4380's example: server 65.54.227.120, client 192.0.2.45.
  EXPECT_FALSE(forbidden(v6("2001:0:4136:e378:8000:63bf:3fff:fdd2")));
  // Near misses that are ordinary global unicast.
  EXPECT_FALSE(forbidden(v6("2001:4860:4860::a9fe:a9fe")));
  EXPECT_FALSE(forbidden(v6("2001:db8::5601:5601")));
  EXPECT_FALSE(forbidden(v6("64:ff9c::a9fe:a9fe")));
  EXPECT_FALSE(forbidden(v6("2003:a9fe:a9fe::1")));
}

// The same addresses written in a config URL are refused at load.
// seed-defect: 004-P12
TEST(UpstreamUrl, EmbeddedIpv4MetadataAddressesRefused) {
  const std::string forbidden =
      "URL host is a link-local, metadata or non-unicast address, which upstreams may not use";
  EXPECT_EQ(parse_error("http://[64:ff9b::169.254.169.254]/"), forbidden);
  EXPECT_EQ(parse_error("http://[64:ff9b:1::a9fe:a9fe]/"), forbidden);
  EXPECT_EQ(parse_error("http://[2002:a9fe:a9fe::]/"), forbidden);
  EXPECT_EQ(parse_error("http://[2001:0:4136:e378:8000:63bf:5601:5601]/"), forbidden);
  EXPECT_EQ(parse_error("http://[2001:0:a9fe:a9fe::f7f7:f7f7]/"), forbidden);
  EXPECT_EQ(parse_ok("http://[64:ff9b::8.8.8.8]:8080/v1").host, "64:ff9b::808:808");
  EXPECT_EQ(parse_ok("https://[2002:808:808::1]/").host, "2002:808:808::1");
}

}  // namespace
}  // namespace ringgate::config
