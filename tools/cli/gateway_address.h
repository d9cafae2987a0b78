#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/config/config.h"

namespace ringgate::cli {

// Where a running gateway listens, as the CLI's commands name it.
struct GatewayAddress {
  std::string host = "127.0.0.1";
  std::string port = "8080";
};

// http://HOST:PORT (a trailing slash allowed, [v6] brackets removed); nullopt when it is not.
std::optional<GatewayAddress> parse_gateway_url(std::string_view url);

// The gateway a command talks to: --url, else the config's [server] listen, else
// 127.0.0.1:8080. The config, when given, is loaded into cfg. nullopt after saying why on
// stderr (prefixed with the command's name).
std::optional<GatewayAddress> find_gateway(const std::string& config_path, const std::string& url,
                                           const char* command, std::optional<config::Config>& cfg);

}  // namespace ringgate::cli
