// The origins [cors] allowed_origins (and --cors-origin) may list. The gateway compares them with
// a browser's Origin header byte for byte, so only the form browsers send is accepted: lower-case
// scheme and host, no path, and no port when it is the scheme's default.
#pragma once

#include <string>
#include <string_view>

namespace ringgate::config {

// What is wrong with origin as an allowed origin, or "" when it is "*" (any origin) or
// "http(s)://host[:port]" with host a lower-case DNS name, an IPv4 address or an [IPv6] literal.
std::string cors_origin_problem(std::string_view origin);

}  // namespace ringgate::config
