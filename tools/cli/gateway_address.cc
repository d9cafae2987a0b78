#include "tools/cli/gateway_address.h"

#include <cstdio>

namespace ringgate::cli {

std::optional<GatewayAddress> find_gateway(const std::string& config_path, const std::string& url,
                                           const char* command,
                                           std::optional<config::Config>& cfg) {
  GatewayAddress at;
  if (!config_path.empty()) {
    config::ConfigError err;
    cfg = config::load_config_file(config_path, err);
    if (!cfg) {
      std::fprintf(stderr, "%s\n", err.message.c_str());
      return std::nullopt;
    }
    at = {cfg->server.listen_host, std::to_string(cfg->server.listen_port)};
  }
  if (url.empty()) return at;
  std::optional<GatewayAddress> a = parse_gateway_url(url);
  if (!a) std::fprintf(stderr, "%s: --url must be http://HOST:PORT\n", command);
  return a;
}

}  // namespace ringgate::cli
