#include "engine/config/cors_origin.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace ringgate::config {
namespace {

bool dns_or_ipv4_host(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.front() == '-') return false;
  for (char c : host) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  return true;
}

bool ipv6_literal(std::string_view bracketed) {
  if (bracketed.size() < 3 || bracketed.size() > 47) return false;
  std::string inner(bracketed.substr(1, bracketed.size() - 2));
  in6_addr a{};
  return inet_pton(AF_INET6, inner.c_str(), &a) == 1;
}

// "" or a reason; port is the text after the host's ':'.
std::string port_problem(std::string_view port, bool https) {
  if (port.empty() || port.size() > 5 || port[0] == '0') return "has a bad port";
  unsigned v = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return "has a bad port";
    v = v * 10 + unsigned(c - '0');
  }
  if (v > 65535) return "has a bad port";
  if (v == (https ? 443u : 80u)) {
    return std::string("names port ") + (https ? "443, https's" : "80, http's") +
           " default, which browsers leave out of Origin; write it without the port";
  }
  return "";
}

}  // namespace

std::string cors_origin_problem(std::string_view origin) {
  if (origin == "*") return "";
  bool https = origin.starts_with("https://");
  if (!https && !origin.starts_with("http://")) {
    return "must be \"*\" or start with http:// or https:// (lower-case)";
  }
  std::string_view rest = origin.substr(https ? 8 : 7);
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return "must be scheme://host[:port] with no path, not even '/' (browsers send none)";
  }
  std::string_view host = rest, port;
  size_t colon = rest.starts_with('[') ? rest.find("]:") : rest.find(':');
  if (colon != std::string_view::npos) {
    size_t host_end = rest.starts_with('[') ? colon + 1 : colon;
    host = rest.substr(0, host_end);
    port = rest.substr(host_end + 1);
    if (std::string p = port_problem(port, https); !p.empty()) return p;
  }
  for (char c : host) {
    if (c >= 'A' && c <= 'Z') return "must be lower-case (browsers send the host lower-case)";
  }
  bool ok = host.starts_with('[') ? ipv6_literal(host) : dns_or_ipv4_host(host);
  if (!ok) return "has a bad host: a DNS name, an IPv4 address or an [IPv6] literal";
  return "";
}

}  // namespace ringgate::config
