// Which address a request comes from, for per-address limits and the audit log. Forwarding
// headers are believed only when the socket peer is a trusted proxy (seed-defect 002-1), and then
// only as far back as the chain of trusted proxies goes: the client is the right-most address
// that is not itself trusted, because every hop to the left of it could have been written by
// the client. `Forwarded` (RFC 7239) is preferred over `X-Forwarded-For` when both are present.
#pragma once

#include <span>
#include <string_view>

#include "engine/admission/ip_address.h"

namespace ringgate::admission {

// Each span holds that header's field values in the order they arrived (repeated fields are one
// comma-separated list). An unparseable hop ("unknown", an obfuscated identifier) ends the walk:
// the address is then the last trusted hop, so a garbled chain is limited as the proxy itself.
IpAddress client_address(const IpAddress& peer, std::span<const std::string_view> forwarded,
                         std::span<const std::string_view> x_forwarded_for,
                         std::span<const config::Cidr> trusted_proxies);

// One hop of either header as written: "[2001:db8::1]:443", "\"[::1]\"", "192.0.2.1:80".
std::optional<IpAddress> parse_hop(std::string_view hop);

}  // namespace ringgate::admission
