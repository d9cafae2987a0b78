// Address prefixes as the config writes them ([server] trusted_proxies, --trusted-proxy).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/config/admission_config.h"

namespace ringgate::config {

// "10.0.0.0/8", "fd00::/8", or a bare address (a full-length prefix). The prefix is 0-32 for
// IPv4 and 0-128 for IPv6, and no address bit may be set beyond it: "10.1.2.3/8" is refused rather
// than guessed at (was /32 meant, or 10.0.0.0/8?). On failure, why says what is wrong.
std::optional<Cidr> parse_cidr(std::string_view text, std::string& why);

// "10.0.0.0/8", "::1/128".
std::string format_cidr(const Cidr& cidr);

}  // namespace ringgate::config
