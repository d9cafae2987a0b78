#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::bench {

// An http:// target as the load generator needs it: where to connect, what to put in the
// request line and the Host header.
struct TargetUrl {
  std::string host;  // without brackets for IPv6 literals
  uint16_t port = 80;
  std::string path = "/";   // path plus query, always starting with '/'
  std::string host_header;  // host[:port] as sent in Host
};

// Parses "http://host[:port][/path[?query]]". Returns an error message, empty on success.
// https:// is refused (the generator speaks plain HTTP/1.1 only).
std::string parse_target_url(std::string_view text, TargetUrl& out);

// A resolved socket address for the target.
struct TargetAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

// True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
bool is_loopback(const sockaddr* address);

// Resolves host:port. Unless allow_remote is set, every resolved address must be loopback, so a
// mistyped URL never turns the generator on somebody else's server. Returns an error message,
// empty on success.
std::string resolve_target(const TargetUrl& url, bool allow_remote, TargetAddress& out);

}  // namespace ringgate::bench
