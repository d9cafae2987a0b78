#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/config/config.h"
#include "tools/cli/gateway_url.h"

namespace ringgate::cli {

// The gateway a command talks to: --url, else the config's [server] listen, else
// 127.0.0.1:8080. The config, when given, is loaded into cfg. nullopt after saying why on
// stderr (prefixed with the command's name).
std::optional<GatewayAddress> find_gateway(const std::string& config_path, const std::string& url,
                                           const char* command, std::optional<config::Config>& cfg);

}  // namespace ringgate::cli
