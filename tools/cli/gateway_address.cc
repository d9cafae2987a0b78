#include "tools/cli/gateway_address.h"

#include <cstdio>

namespace ringgate::cli {

std::optional<GatewayAddress> parse_gateway_url(std::string_view u) {
  if (u.starts_with("http://")) u.remove_prefix(7);
  if (u.ends_with("/")) u.remove_suffix(1);
  const size_t colon = u.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == u.size()) return std::nullopt;
  GatewayAddress a{std::string(u.substr(0, colon)), std::string(u.substr(colon + 1))};
  if (a.host.size() > 2 && a.host.front() == '[') a.host = a.host.substr(1, a.host.size() - 2);
  return a;
}

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
