#include "engine/config/listen_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace ringgate::config {

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& err) {
  static constexpr std::string_view kShape =
      " (expected \"IPv4:PORT\", \"[IPv6]:PORT\" or \"localhost:PORT\")";
  std::string_view host;
  std::string_view port_text;
  bool ipv6 = false;
  if (text.starts_with('[')) {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      err = "listen address is malformed" + std::string(kShape);
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
    ipv6 = true;
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      err = "listen address needs a port" + std::string(kShape);
      return std::nullopt;
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }

  uint32_t port = 0;
  bool port_ok = !port_text.empty() && port_text.size() <= 5;
  for (char c : port_text) {
    if (c < '0' || c > '9') port_ok = false;
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  // Port 0 lets the kernel pick one (tests, side-by-side benchmarks); the gateway prints it.
  if (!port_ok || port > 65535) {
    err = "listen port must be a number from 0 to 65535";
    return std::nullopt;
  }

  ListenAddress out;
  out.port = static_cast<uint16_t>(port);
  std::string h(host);
  if (ipv6) {
    in6_addr a6{};
    if (inet_pton(AF_INET6, h.c_str(), &a6) != 1) {
      err = "listen address has an invalid IPv6 address";
      return std::nullopt;
    }
    out.host = std::move(h);
  } else if (h == "localhost") {
    out.host = "127.0.0.1";
  } else {
    in_addr a4{};
    if (inet_pton(AF_INET, h.c_str(), &a4) != 1) {
      err = "listen host must be an IP address or localhost" + std::string(kShape);
      return std::nullopt;
    }
    out.host = std::move(h);
  }
  return out;
}

}  // namespace ringgate::config
