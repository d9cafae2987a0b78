#include "tools/cli/gateway_url.h"

namespace ringgate::cli {

namespace {

bool is_port(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  unsigned v = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + unsigned(c - '0');
  }
  return v >= 1 && v <= 65535;
}

// A name or an IPv4 address: no scheme, path, user or space left in it.
bool is_plain_host(std::string_view h) {
  return !h.empty() && h.find_first_of(":/@[] ") == std::string_view::npos;
}

}  // namespace

std::optional<GatewayAddress> parse_gateway_url(std::string_view u) {
  if (u.starts_with("http://")) u.remove_prefix(7);
  if (u.ends_with("/")) u.remove_suffix(1);
  const size_t colon = u.rfind(':');
  if (colon == std::string_view::npos || !is_port(u.substr(colon + 1))) return std::nullopt;
  std::string_view host = u.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [v6]: colons allowed inside the brackets only
    if (host.find_first_of("/@[] ") != std::string_view::npos) return std::nullopt;
  } else if (!is_plain_host(host)) {
    return std::nullopt;
  }
  return GatewayAddress{std::string(host), std::string(u.substr(colon + 1))};
}

}  // namespace ringgate::cli
