// The gateway's listen address, "HOST:PORT", shared by the config file and quick mode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringgate::config {

struct ListenAddress {
  std::string host;  // an IP literal; IPv6 without brackets
  uint16_t port = 0;
};

// Accepts "IPv4:PORT", "[IPv6]:PORT" and "localhost:PORT" (taken as 127.0.0.1), PORT 1-65535.
// Names other than localhost are refused: a listener binds before DNS is worth trusting.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& err);

}  // namespace ringgate::config
