#include "engine/admission/client_address.h"

namespace ringgate::admission {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The for= parameter of one Forwarded element ("for=192.0.2.1;proto=https"), or "" if none.
std::string_view forwarded_for(std::string_view element) {
  while (!element.empty()) {
    const size_t semi = element.find(';');
    std::string_view pair = trim(element.substr(0, semi));
    element = semi == std::string_view::npos ? std::string_view{} : element.substr(semi + 1);
    if (pair.size() > 4 && (pair[0] | 0x20) == 'f' && (pair[1] | 0x20) == 'o' &&
        (pair[2] | 0x20) == 'r' && pair[3] == '=')
      return pair.substr(4);
  }
  return {};
}

// Walks the hops right to left. Returns false when a hop ended the walk (`current` is final).
bool walk(std::string_view list, bool is_forwarded, IpAddress& current,
          std::span<const config::Cidr> trusted) {
  while (!list.empty()) {
    const size_t comma = list.rfind(',');
    std::string_view hop = list.substr(comma == std::string_view::npos ? 0 : comma + 1);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(0, comma);
    hop = trim(hop);
    if (hop.empty()) continue;
    std::optional<IpAddress> ip = parse_hop(is_forwarded ? forwarded_for(hop) : hop);
    if (!ip) return false;
    current = *ip;
    if (!in_any(current, trusted)) return false;
  }
  return true;
}

}  // namespace

std::optional<IpAddress> parse_hop(std::string_view hop) {
  hop = trim(hop);
  if (hop.size() >= 2 && hop.front() == '"' && hop.back() == '"')
    hop = hop.substr(1, hop.size() - 2);
  if (!hop.empty() && hop.front() == '[') {
    const size_t close = hop.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return parse_ip(hop.substr(1, close - 1));
  }
  // One colon is IPv4 with a port; more is a bare IPv6 address.
  const size_t colon = hop.find(':');
  if (colon != std::string_view::npos && hop.find(':', colon + 1) == std::string_view::npos)
    hop = hop.substr(0, colon);
  return parse_ip(hop);
}

IpAddress client_address(const IpAddress& peer, std::span<const std::string_view> forwarded,
                         std::span<const std::string_view> x_forwarded_for,
                         std::span<const config::Cidr> trusted_proxies) {
  if (!in_any(peer, trusted_proxies)) return peer;
  const bool use_forwarded = !forwarded.empty();
  std::span<const std::string_view> fields = use_forwarded ? forwarded : x_forwarded_for;
  IpAddress current = peer;
  for (size_t i = fields.size(); i-- > 0;) {
    if (!walk(fields[i], use_forwarded, current, trusted_proxies)) break;
  }
  return current;
}

}  // namespace ringgate::admission
