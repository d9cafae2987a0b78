// Client addresses: parsing, CIDR matching, and which forwarding headers are believed.
#include "engine/admission/client_address.h"

#include <gtest/gtest.h>

#include <vector>

namespace ringgate::admission {
namespace {

config::Cidr cidr(std::string_view addr, uint8_t len) {
  const IpAddress ip = *parse_ip(addr);
  return {ip.v6, ip.bytes, len};
}

IpAddress ip(std::string_view text) { return *parse_ip(text); }

const std::vector<config::Cidr> kTrusted = {cidr("10.0.0.0", 8), cidr("fd00::", 8)};

IpAddress via(std::string_view peer, std::vector<std::string_view> xff,
              std::vector<std::string_view> fwd = {}) {
  return client_address(ip(peer), fwd, xff, kTrusted);
}

TEST(IpAddress, ParsesBothFamiliesAndUnmapsIpv4) {
  EXPECT_EQ(ip("192.0.2.7"), ipv4(192, 0, 2, 7));
  EXPECT_EQ(ip("::ffff:192.0.2.7"), ipv4(192, 0, 2, 7));
  EXPECT_TRUE(ip("2001:db8::1").v6);
  EXPECT_FALSE(parse_ip("unknown"));
  EXPECT_FALSE(parse_ip("1.2.3"));
  EXPECT_FALSE(parse_ip(""));
  EXPECT_FALSE(parse_ip(std::string(100, '1')));
}

TEST(IpAddress, CidrPrefixesMatchBitwise) {
  EXPECT_TRUE(in_cidr(ip("10.200.3.4"), cidr("10.0.0.0", 8)));
  EXPECT_FALSE(in_cidr(ip("11.0.0.1"), cidr("10.0.0.0", 8)));
  EXPECT_TRUE(in_cidr(ip("192.168.1.130"), cidr("192.168.1.128", 25)));
  EXPECT_FALSE(in_cidr(ip("192.168.1.127"), cidr("192.168.1.128", 25)));
  EXPECT_TRUE(in_cidr(ip("fd12::1"), cidr("fd00::", 8)));
  EXPECT_FALSE(in_cidr(ip("10.0.0.1"), cidr("::", 0)));  // families never mix
  EXPECT_TRUE(in_cidr(ip("203.0.113.9"), cidr("0.0.0.0", 0)));
  EXPECT_TRUE(in_cidr(ip("::1"), cidr("::1", 128)));
}

// seed-defect: 002-1 (X-Forwarded-For from an untrusted peer is ignored: no limit bypass by
// spoofing)
TEST(ClientAddress, AnUntrustedPeersHeadersAreIgnored) {
  EXPECT_EQ(via("203.0.113.5", {"198.51.100.1"}), ip("203.0.113.5"));
  EXPECT_EQ(via("203.0.113.5", {}, {"for=198.51.100.1"}), ip("203.0.113.5"));
}

// seed-defect: 002-1 (a client behind a trusted proxy cannot choose its address by prepending hops)
TEST(ClientAddress, TheRightMostUntrustedHopIsTheClient) {
  EXPECT_EQ(via("10.0.0.2", {"198.51.100.1"}), ip("198.51.100.1"));
  // The client wrote "1.1.1.1" itself; the proxy appended the address it saw.
  EXPECT_EQ(via("10.0.0.2", {"1.1.1.1, 198.51.100.1"}), ip("198.51.100.1"));
  // Two trusted proxies in a row.
  EXPECT_EQ(via("10.0.0.2", {"1.1.1.1, 198.51.100.1, 10.9.9.9"}), ip("198.51.100.1"));
  // Repeated header fields are one list, in order.
  EXPECT_EQ(via("10.0.0.2", {"1.1.1.1", "198.51.100.1", "10.1.1.1"}), ip("198.51.100.1"));
  EXPECT_EQ(via("10.0.0.2", {}), ip("10.0.0.2"));
}

TEST(ClientAddress, AGarbledHopStopsTheWalkAtTheLastTrustedOne) {
  EXPECT_EQ(via("10.0.0.2", {"198.51.100.1, unknown"}), ip("10.0.0.2"));
  EXPECT_EQ(via("10.0.0.2", {"198.51.100.1, garbage, 10.3.3.3"}), ip("10.3.3.3"));
  // All trusted: the left-most is as far as anyone can see.
  EXPECT_EQ(via("10.0.0.2", {"10.5.5.5, 10.3.3.3"}), ip("10.5.5.5"));
}

TEST(ClientAddress, ForwardedIsPreferredAndItsSyntaxUnderstood) {
  EXPECT_EQ(via("10.0.0.2", {"1.1.1.1"}, {"for=192.0.2.60;proto=http;by=203.0.113.43"}),
            ip("192.0.2.60"));
  EXPECT_EQ(via("10.0.0.2", {}, {"for=1.1.1.1, For=\"[2001:db8:cafe::17]:4711\""}),
            ip("2001:db8:cafe::17"));
  EXPECT_EQ(via("fd00::9", {}, {"proto=https;for=198.51.100.2:8443"}), ip("198.51.100.2"));
  EXPECT_EQ(via("10.0.0.2", {}, {"for=_hidden"}), ip("10.0.0.2"));
}

TEST(ClientAddress, HopsCarryPortsAndBrackets) {
  EXPECT_EQ(parse_hop("192.0.2.1:80"), ip("192.0.2.1"));
  EXPECT_EQ(parse_hop(" [2001:db8::1]:443 "), ip("2001:db8::1"));
  EXPECT_EQ(parse_hop("2001:db8::1"), ip("2001:db8::1"));
  EXPECT_FALSE(parse_hop("[2001:db8::1"));
}

}  // namespace
}  // namespace ringgate::admission
