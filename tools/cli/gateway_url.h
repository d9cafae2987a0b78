// The CLI's --url: where a running gateway listens, parsed without the engine (the unit test
// and the fuzz target take it alone).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ringgate::cli {

// Where a running gateway listens, as the CLI's commands name it.
struct GatewayAddress {
  std::string host = "127.0.0.1";
  std::string port = "8080";
};

// http://HOST:PORT (a trailing slash allowed, [v6] brackets removed); nullopt when it is not.
std::optional<GatewayAddress> parse_gateway_url(std::string_view url);

}  // namespace ringgate::cli
