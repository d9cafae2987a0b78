// Upstream URLs come from configuration, so they are an SSRF surface (seed-defect 004-P12):
// parsing is strict and refuses anything that could point the gateway at cloud metadata services
// or smuggle credentials.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringgate::config {

struct UpstreamUrl {
  bool tls = false;
  std::string host;       // lower-case name or IP literal; IPv6 without brackets
  uint16_t port = 0;      // explicit or the scheme's default
  std::string base_path;  // e.g. "/v1"; never a trailing slash; "" for the root

  // host[:port] for the Host header: brackets around IPv6, port only when not the default.
  std::string authority() const;
};

// Accepts http:// and https:// URLs with a host, an optional port and an optional path; refuses
// userinfo, query strings, fragments, non-canonical numeric hosts (e.g. "2852039166") and
// link-local / metadata addresses. Error messages never repeat the URL (it might hold a password).
std::optional<UpstreamUrl> parse_upstream_url(std::string_view url, std::string& err);

// True for addresses an upstream must never resolve to: link-local (169.254/16, fe80::/10, which
// hold the cloud metadata services), known metadata endpoints, unspecified, multicast and
// broadcast. The engine applies it again to every DNS answer, since a name can resolve anywhere.
bool is_forbidden_upstream_address(const sockaddr* addr);

}  // namespace ringgate::config
