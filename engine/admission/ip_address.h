// IP addresses as plain values: parsed from text, matched against config::Cidr prefixes. An
// IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket reports) is the IPv4 one.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "engine/config/admission_config.h"

namespace ringgate::admission {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4

  bool operator==(const IpAddress&) const = default;
};

// "192.0.2.1", "2001:db8::1"; no brackets, ports or zone ids (client_address strips those).
std::optional<IpAddress> parse_ip(std::string_view text);
// A socket address (AF_INET or AF_INET6); anything else is 0.0.0.0.
IpAddress from_sockaddr(const sockaddr_storage& sa);
// 16 bytes in network order; an IPv4-mapped address comes back as IPv4.
IpAddress from_v6_bytes(const uint8_t* bytes);
IpAddress ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);

bool in_cidr(const IpAddress& ip, const config::Cidr& cidr);
bool in_any(const IpAddress& ip, std::span<const config::Cidr> cidrs);

}  // namespace ringgate::admission
