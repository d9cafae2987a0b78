#include "engine/admission/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace ringgate::admission {
namespace {

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

IpAddress ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddress ip;
  ip.bytes = {a, b, c, d};
  return ip;
}

IpAddress from_v6_bytes(const uint8_t* b) {
  if (std::memcmp(b, kMappedPrefix, sizeof kMappedPrefix) == 0)
    return ipv4(b[12], b[13], b[14], b[15]);
  IpAddress ip;
  ip.v6 = true;
  std::memcpy(ip.bytes.data(), b, 16);
  return ip;
}

IpAddress from_sockaddr(const sockaddr_storage& sa) {
  if (sa.ss_family == AF_INET6) {
    return from_v6_bytes(reinterpret_cast<const sockaddr_in6&>(sa).sin6_addr.s6_addr);
  }
  IpAddress ip;
  if (sa.ss_family == AF_INET) {
    std::memcpy(ip.bytes.data(), &reinterpret_cast<const sockaddr_in&>(sa).sin_addr, 4);
  }
  return ip;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  char buf[INET6_ADDRSTRLEN];  // inet_pton wants a terminated string
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress ip;
  if (inet_pton(AF_INET, buf, ip.bytes.data()) == 1) return ip;
  if (inet_pton(AF_INET6, buf, ip.bytes.data()) != 1) return std::nullopt;
  return from_v6_bytes(ip.bytes.data());
}

bool in_cidr(const IpAddress& ip, const config::Cidr& cidr) {
  if (ip.v6 != cidr.v6) return false;
  const unsigned len = std::min<unsigned>(cidr.prefix_len, cidr.v6 ? 128 : 32);
  const unsigned whole = len / 8, rest = len % 8;
  if (std::memcmp(ip.bytes.data(), cidr.addr.data(), whole) != 0) return false;
  if (!rest) return true;
  const uint8_t mask = uint8_t(0xff << (8 - rest));
  return (ip.bytes[whole] & mask) == (cidr.addr[whole] & mask);
}

bool in_any(const IpAddress& ip, std::span<const config::Cidr> cidrs) {
  return std::any_of(cidrs.begin(), cidrs.end(), [&](const auto& c) { return in_cidr(ip, c); });
}

}  // namespace ringgate::admission
