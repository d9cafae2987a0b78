#include "engine/config/cidr.h"

#include <arpa/inet.h>

namespace ringgate::config {
namespace {

bool parse_prefix(std::string_view digits, unsigned max, uint8_t& out) {
  if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) return false;
  unsigned v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + unsigned(c - '0');
  }
  if (v > max) return false;
  out = static_cast<uint8_t>(v);
  return true;
}

bool host_bits_clear(const Cidr& c) {
  unsigned bits = c.v6 ? 128 : 32;
  for (unsigned i = c.prefix_len; i < bits; ++i) {
    if (c.addr[i / 8] & (0x80 >> (i % 8))) return false;
  }
  return true;
}

}  // namespace

std::optional<Cidr> parse_cidr(std::string_view text, std::string& why) {
  size_t slash = text.find('/');
  std::string address(text.substr(0, slash));
  Cidr c;
  c.v6 = address.find(':') != std::string::npos;
  if (address.size() > 45 ||
      inet_pton(c.v6 ? AF_INET6 : AF_INET, address.c_str(), c.addr.data()) != 1) {
    why = "is not an IPv4 or IPv6 address (with an optional /prefix)";
    return std::nullopt;
  }
  unsigned max = c.v6 ? 128 : 32;
  c.prefix_len = static_cast<uint8_t>(max);
  if (slash != std::string_view::npos && !parse_prefix(text.substr(slash + 1), max, c.prefix_len)) {
    why = "has a bad prefix length: it must be 0-" + std::to_string(max) + " for an " +
          (c.v6 ? "IPv6" : "IPv4") + " address";
    return std::nullopt;
  }
  if (!host_bits_clear(c)) {
    why = "has address bits set beyond its /" + std::to_string(c.prefix_len) +
          " prefix; write the network address, or the address alone for just that one";
    return std::nullopt;
  }
  return c;
}

std::string format_cidr(const Cidr& c) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(c.v6 ? AF_INET6 : AF_INET, c.addr.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(c.prefix_len);
}

}  // namespace ringgate::config
