#include "engine/config/upstream_url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstring>
#include <initializer_list>

namespace ringgate::config {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f'); }

// Names that resolve to a metadata service inside cloud networks.
constexpr std::array<std::string_view, 5> kMetadataHostnames = {
    "metadata", "metadata.google.internal", "metadata.goog", "instance-data",
    "instance-data.ec2.internal"};

bool forbidden_ipv4(uint32_t host_order) {
  uint8_t a = host_order >> 24, b = (host_order >> 16) & 0xff;
  if (a == 0) return true;                    // "this network", 0.0.0.0
  if (a == 169 && b == 254) return true;      // link-local: AWS/GCP/Azure/OCI metadata
  if (a >= 224) return true;                  // multicast, reserved, broadcast
  if (host_order == 0x646464C8) return true;  // 100.100.100.200: Alibaba Cloud metadata
  if (host_order == 0xA83F8110) return true;  // 168.63.129.16: Azure wire server
  return false;
}

uint32_t ipv4_at(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

bool has_prefix(const uint8_t* b, std::initializer_list<uint8_t> prefix) {
  return std::memcmp(b, prefix.begin(), prefix.size()) == 0;
}

// IPv6 forms that carry an IPv4 address a packet ends up at, through a translator or a tunnel:
// each embedded address meets the IPv4 blocklist, or the IPv6 literal would be a way around it.
bool forbidden_embedded_ipv4(const in6_addr& a) {
  const uint8_t* b = a.s6_addr;
  // IPv4-mapped ::ffff:a.b.c.d and the deprecated IPv4-compatible ::a.b.c.d (glibc's macro leaves
  // out :: and ::1, which are handled as IPv6).
  if (IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a)) return forbidden_ipv4(ipv4_at(b + 12));
  // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052).
  if (has_prefix(b, {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) {
    return forbidden_ipv4(ipv4_at(b + 12));
  }
  // NAT64 local-use 64:ff9b:1::/48 (RFC 8215). Operators pick the prefix length inside it, which
  // moves the IPv4 bits; we read the last 32 bits, the /96 layout every deployment we know uses.
  if (has_prefix(b, {0, 0x64, 0xff, 0x9b, 0, 1})) return forbidden_ipv4(ipv4_at(b + 12));
  // 6to4 2002:V4ADDR::/48 (RFC 3056).
  if (has_prefix(b, {0x20, 0x02})) return forbidden_ipv4(ipv4_at(b + 2));
  // Teredo 2001:0::/32 (RFC 4380): server IPv4 in bits 32..63, client IPv4 inverted in the last 32.
  if (has_prefix(b, {0x20, 0x01, 0, 0})) {
    return forbidden_ipv4(ipv4_at(b + 4)) || forbidden_ipv4(~ipv4_at(b + 12));
  }
  return false;
}

bool forbidden_ipv6(const in6_addr& a) {
  const uint8_t* b = a.s6_addr;
  if (forbidden_embedded_ipv4(a)) return true;
  if (IN6_IS_ADDR_UNSPECIFIED(&a)) return true;
  if (IN6_IS_ADDR_LINKLOCAL(&a)) return true;  // fe80::/10
  if (IN6_IS_ADDR_MULTICAST(&a)) return true;
  // fd00:ec2::254, the AWS metadata service over IPv6.
  static const uint8_t kAwsImds6[16] = {0xfd, 0, 0x0e, 0xc2, 0, 0, 0,    0,
                                        0,    0, 0,    0,    0, 0, 0x02, 0x54};
  return std::memcmp(b, kAwsImds6, 16) == 0;
}

// RFC 3986 pchar plus '/', with %XX escapes well formed.
bool valid_path(std::string_view path) {
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size() || !is_hex(path[i + 1]) || !is_hex(path[i + 2])) return false;
      i += 2;
      continue;
    }
    if (is_alnum(c) || std::string_view("-._~!$&'()*+,;=:@/").find(c) != std::string_view::npos) {
      continue;
    }
    return false;
  }
  return true;
}

bool valid_hostname(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!is_alnum(c) && c != '-' && c != '_') return false;
    if (++label > 63) return false;
  }
  return true;
}

}  // namespace

std::string UpstreamUrl::authority() const {
  bool ipv6 = host.find(':') != std::string::npos;
  std::string out;
  if (ipv6) out += '[';
  out += host;
  if (ipv6) out += ']';
  if (port != (tls ? 443 : 80)) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

std::optional<UpstreamUrl> parse_upstream_url(std::string_view url, std::string& err) {
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f) {
      err = "URL must not contain spaces, control or non-ASCII characters";
      return std::nullopt;
    }
  }
  UpstreamUrl out;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    err = "URL must start with http:// or https://";
    return std::nullopt;
  }
  std::string scheme = lowercase(url.substr(0, sep));
  if (scheme == "https") {
    out.tls = true;
  } else if (scheme != "http") {
    err = "URL scheme must be http or https";
    return std::nullopt;
  }
  std::string_view rest = url.substr(sep + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    err = "URL must not have a query string or fragment";
    return std::nullopt;
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    err = "URL must not contain credentials (user@host); use api_key = \"env:NAME\"";
    return std::nullopt;
  }

  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  bool ipv6 = false;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      err = "URL has an unterminated IPv6 address";
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    ipv6 = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        err = "URL has unexpected characters after the IPv6 address";
        return std::nullopt;
      }
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
  }
  if (host.empty()) {
    err = "URL must name a host";
    return std::nullopt;
  }

  out.port = out.tls ? 443 : 80;
  if (has_port) {
    uint32_t port = 0;
    bool ok = !port_text.empty() && port_text.size() <= 5;
    for (char c : port_text) {
      if (!is_digit(c)) ok = false;
      port = port * 10 + static_cast<uint32_t>(c - '0');
    }
    if (!ok || port == 0 || port > 65535) {
      err = "URL port must be a number from 1 to 65535";
      return std::nullopt;
    }
    out.port = static_cast<uint16_t>(port);
  }

  if (ipv6) {
    in6_addr a6{};
    std::string text(host);
    if (inet_pton(AF_INET6, text.c_str(), &a6) != 1) {
      err = "URL has an invalid IPv6 address";
      return std::nullopt;
    }
    if (forbidden_ipv6(a6)) {
      err =
          "URL host is a link-local, metadata or non-unicast address, which upstreams may not use";
      return std::nullopt;
    }
    char canonical[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &a6, canonical, sizeof canonical);
    out.host = canonical;
  } else {
    std::string name = lowercase(host);
    if (!valid_hostname(name)) {
      err = "URL host must be a DNS name or an IP address";
      return std::nullopt;
    }
    // inet_aton accepts the same loose forms the resolver does ("2852039166", "0xa9.254.0.1",
    // "127.1"); anything it accepts that is not a plain dotted quad is refused so an address can't
    // hide from the checks below.
    in_addr a4{};
    if (inet_aton(name.c_str(), &a4) != 0) {
      char canonical[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &a4, canonical, sizeof canonical);
      if (name != canonical) {
        err = "URL host looks numeric but is not a dotted-quad IPv4 address (write a.b.c.d)";
        return std::nullopt;
      }
      if (forbidden_ipv4(ntohl(a4.s_addr))) {
        err =
            "URL host is a link-local, metadata or non-unicast address, which upstreams may not "
            "use";
        return std::nullopt;
      }
    } else {
      std::string_view bare = name;
      if (bare.ends_with('.')) bare.remove_suffix(1);
      for (std::string_view m : kMetadataHostnames) {
        if (bare == m) {
          err = "URL host is a cloud metadata service name, which upstreams may not use";
          return std::nullopt;
        }
      }
    }
    out.host = std::move(name);
  }

  if (!valid_path(path)) {
    err = "URL path has characters that must be percent-encoded";
    return std::nullopt;
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  out.base_path = path;
  return out;
}

bool is_forbidden_upstream_address(const sockaddr* addr) {
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    return forbidden_ipv4(ntohl(in->sin_addr.s_addr));
  }
  if (addr->sa_family == AF_INET6) {
    return forbidden_ipv6(reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr);
  }
  return true;
}

}  // namespace ringgate::config
