// The value rules behind the admission config: USD amounts to exact microdollars, address
// prefixes, CORS origins.
#include <gtest/gtest.h>

#include <string>

#include "engine/config/cidr.h"
#include "engine/config/cors_origin.h"
#include "engine/config/microdollars.h"

namespace ringgate::config {
namespace {

int64_t micros(double usd) {
  std::string why;
  std::optional<int64_t> m = usd_to_micros(usd, 100'000'000, why);
  EXPECT_TRUE(m.has_value()) << usd << ": " << why;
  return m.value_or(-1);
}

std::string micros_error(double usd) {
  std::string why;
  EXPECT_FALSE(usd_to_micros(usd, 10'000, why).has_value()) << usd;
  return why;
}

TEST(Microdollars, DecimalsAreExactNotTruncatedBinaryFloats) {
  EXPECT_EQ(micros(0.1), 100'000);  // 0.1 * 1e6 truncated would be 99999
  EXPECT_EQ(micros(0.3), 300'000);
  EXPECT_EQ(micros(2.5), 2'500'000);
  EXPECT_EQ(micros(1.13), 1'130'000);
  EXPECT_EQ(micros(0.000001), 1);
  EXPECT_EQ(micros(4.35), 4'350'000);
  EXPECT_EQ(micros(99999999.999999), 99'999'999'999'999);
  EXPECT_EQ(micros(100000000.0), 100'000'000'000'000);
  EXPECT_EQ(micros(0.0), 0);
  std::string why;
  EXPECT_EQ(usd_to_micros(int64_t{50}, 100, why), 50'000'000);
}

TEST(Microdollars, RefusesNegativeHugeAndTooPrecise) {
  EXPECT_EQ(micros_error(-0.5), "must be between 0 and 10000 USD, not -0.5");
  EXPECT_EQ(micros_error(10000.5), "must be between 0 and 10000 USD, not 10000.5");
  EXPECT_EQ(micros_error(0.0000001),
            "has more than 6 decimals (0.0000001); amounts are whole microdollars");
  EXPECT_EQ(micros_error(1.1234567),
            "has more than 6 decimals (1.1234567); amounts are whole microdollars");
  std::string why;
  EXPECT_FALSE(usd_to_micros(int64_t{-1}, 100, why).has_value());
  EXPECT_EQ(why, "must be between 0 and 100 USD, not -1");
}

TEST(Microdollars, Formats) {
  EXPECT_EQ(format_usd(2'500'000), "2.5");
  EXPECT_EQ(format_usd(10'000'000), "10");
  EXPECT_EQ(format_usd(1), "0.000001");
  EXPECT_EQ(format_usd(0), "0");
  EXPECT_EQ(format_usd(-1'250'000), "-1.25");
}

std::string cidr_text(std::string_view text) {
  std::string why;
  std::optional<Cidr> c = parse_cidr(text, why);
  return c ? format_cidr(*c) : "error: " + why;
}

TEST(Cidr, ParsesPrefixesAndBareAddresses) {
  EXPECT_EQ(cidr_text("10.0.0.0/8"), "10.0.0.0/8");
  EXPECT_EQ(cidr_text("192.168.1.7"), "192.168.1.7/32");
  EXPECT_EQ(cidr_text("0.0.0.0/0"), "0.0.0.0/0");
  EXPECT_EQ(cidr_text("::1"), "::1/128");
  EXPECT_EQ(cidr_text("fd00::/8"), "fd00::/8");
  EXPECT_EQ(cidr_text("2001:db8::/32"), "2001:db8::/32");
  std::string why;
  std::optional<Cidr> c = parse_cidr("10.1.0.0/16", why);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->v6);
  EXPECT_EQ(c->prefix_len, 16);
  EXPECT_EQ(c->addr[0], 10);
  EXPECT_EQ(c->addr[1], 1);
  c = parse_cidr("::1", why);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->v6);
  EXPECT_EQ(c->addr[15], 1);
}

TEST(Cidr, RefusesBadAddressesPrefixesAndHostBits) {
  const std::string bad_address =
      "error: is not an IPv4 or IPv6 address (with an optional /prefix)";
  EXPECT_EQ(cidr_text("10.0.0"), bad_address);
  EXPECT_EQ(cidr_text("256.0.0.0"), bad_address);
  EXPECT_EQ(cidr_text("localhost"), bad_address);
  EXPECT_EQ(cidr_text(""), bad_address);
  EXPECT_EQ(cidr_text("fe80::1%eth0"), bad_address);
  EXPECT_EQ(cidr_text("10.0.0.0/33"),
            "error: has a bad prefix length: it must be 0-32 for an IPv4 address");
  EXPECT_EQ(cidr_text("::/129"),
            "error: has a bad prefix length: it must be 0-128 for an IPv6 address");
  EXPECT_EQ(cidr_text("10.0.0.0/"),
            "error: has a bad prefix length: it must be 0-32 for an IPv4 address");
  EXPECT_EQ(cidr_text("10.0.0.0/08"),
            "error: has a bad prefix length: it must be 0-32 for an IPv4 address");
  EXPECT_EQ(cidr_text("10.0.0.0/-1"),
            "error: has a bad prefix length: it must be 0-32 for an IPv4 address");
  EXPECT_EQ(cidr_text("10.1.2.3/8"),
            "error: has address bits set beyond its /8 prefix; write the network address, or the "
            "address alone for just that one");
  EXPECT_EQ(cidr_text("fd00::1/8").substr(0, 41), "error: has address bits set beyond its /8");
}

TEST(CorsOrigin, AcceptsWhatBrowsersSend) {
  for (const char* ok : {"*", "https://app.example.com", "http://localhost:3000",
                         "http://127.0.0.1:8080", "https://[::1]:8443", "https://a-b.c0.example"}) {
    EXPECT_EQ(cors_origin_problem(ok), "") << ok;
  }
}

TEST(CorsOrigin, RefusesWhatNoBrowserSends) {
  EXPECT_EQ(cors_origin_problem("app.example.com"),
            "must be \"*\" or start with http:// or https:// (lower-case)");
  EXPECT_EQ(cors_origin_problem("HTTPS://app.example.com"),
            "must be \"*\" or start with http:// or https:// (lower-case)");
  EXPECT_EQ(cors_origin_problem("ftp://app.example.com"),
            "must be \"*\" or start with http:// or https:// (lower-case)");
  EXPECT_EQ(cors_origin_problem("https://app.example.com/"),
            "must be scheme://host[:port] with no path, not even '/' (browsers send none)");
  EXPECT_EQ(cors_origin_problem("https://app.example.com/chat"),
            "must be scheme://host[:port] with no path, not even '/' (browsers send none)");
  EXPECT_EQ(cors_origin_problem("https://App.Example.com"),
            "must be lower-case (browsers send the host lower-case)");
  EXPECT_EQ(cors_origin_problem("https://app.example.com:443"),
            "names port 443, https's default, which browsers leave out of Origin; write it without "
            "the port");
  EXPECT_EQ(cors_origin_problem("http://app.example.com:80"),
            "names port 80, http's default, which browsers leave out of Origin; write it without "
            "the port");
  EXPECT_EQ(cors_origin_problem("https://app.example.com:0"), "has a bad port");
  EXPECT_EQ(cors_origin_problem("https://app.example.com:65536"), "has a bad port");
  EXPECT_EQ(cors_origin_problem("https://app.example.com:"), "has a bad port");
  const std::string bad_host = "has a bad host: a DNS name, an IPv4 address or an [IPv6] literal";
  EXPECT_EQ(cors_origin_problem("https://"), bad_host);
  EXPECT_EQ(cors_origin_problem("https://user@app.example.com"), bad_host);
  EXPECT_EQ(cors_origin_problem("https://[::g]"), bad_host);
  EXPECT_EQ(cors_origin_problem("https://app_example.com"), bad_host);
}

}  // namespace
}  // namespace ringgate::config
