#include "bench/load/target_url.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace ringgate::bench {

std::string parse_target_url(std::string_view text, TargetUrl& out) {
  constexpr std::string_view kScheme = "http://";
  if (text.starts_with("https://")) return "https is not supported; use an http:// URL";
  if (!text.starts_with(kScheme)) return "URL must start with http://";
  text.remove_prefix(kScheme.size());

  const size_t path_start = text.find_first_of("/?");
  std::string_view authority = text.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? "" : text.substr(path_start);
  if (authority.empty()) return "URL has no host";
  if (authority.find('@') != std::string_view::npos) return "URL must not contain credentials";

  std::string_view host;
  std::string_view port_text;
  if (authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return "unterminated IPv6 literal in URL";
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return "unexpected text after IPv6 literal";
      port_text = rest.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (host.empty()) return "URL has no host";

  uint16_t port = 80;
  if (!port_text.empty() || authority.back() == ':') {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return "invalid port in URL";
    }
    port = static_cast<uint16_t>(value);
  }

  out.host = std::string(host);
  out.port = port;
  out.path.clear();
  if (path.empty() || path.front() == '?') out.path.push_back('/');
  out.path.append(path);
  out.host_header = std::string(authority);
  return {};
}

bool is_loopback(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* in4 = reinterpret_cast<const sockaddr_in*>(address);
    return (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
  }
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return true;
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return in6->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

std::string resolve_target(const TargetUrl& url, bool allow_remote, TargetAddress& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* results = nullptr;
  const std::string port = std::to_string(url.port);
  if (int rc = getaddrinfo(url.host.c_str(), port.c_str(), &hints, &results); rc != 0) {
    return "cannot resolve " + url.host + ": " + gai_strerror(rc);
  }
  std::string error;
  const addrinfo* chosen = nullptr;
  for (const addrinfo* ai = results; ai != nullptr; ai = ai->ai_next) {
    if (!allow_remote && !is_loopback(ai->ai_addr)) {
      error = url.host +
              " resolves to a non-loopback address; pass --allow-remote to load a remote target";
      break;
    }
    if (chosen == nullptr) chosen = ai;
  }
  if (error.empty() && chosen == nullptr) error = "no address for " + url.host;
  if (error.empty()) {
    std::memcpy(&out.storage, chosen->ai_addr, chosen->ai_addrlen);
    out.length = chosen->ai_addrlen;
  }
  freeaddrinfo(results);
  return error;
}

}  // namespace ringgate::bench
