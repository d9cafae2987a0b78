// Quick mode: a whole Config from a few command-line flags, validated by the same rules as a
// config file (the upstream key is a reference here too: a key on the command line would sit in
// `ps` output and shell history).
#include <algorithm>

#include "engine/config/config.h"
#include "engine/config/listen_address.h"

namespace ringgate::config {

std::optional<Config> quick_config(std::string_view listen, std::string_view upstream_url,
                                   std::string_view key_ref, std::string_view format,
                                   unsigned shards, ConfigError& err,
                                   uint32_t upstream_max_connections) {
  Config config;
  config.source_path = "(command line)";
  config.passthrough = true;
  config.admission.mode = AuthMode::kNone;  // apply_quick_admission adds a key when given one
  std::string why;

  auto addr = parse_listen_address(listen, why);
  if (!addr) {
    err.message = "--listen: " + why;
    return std::nullopt;
  }
  config.server.listen_host = addr->host;
  config.server.listen_port = addr->port;

  if (shards > kMaxShards) {
    err.message = "--shards: must be between 0 and " + std::to_string(kMaxShards) + ", not " +
                  std::to_string(shards);
    return std::nullopt;
  }
  config.server.shards = shards;

  Upstream u;
  u.name = "upstream";
  u.url = std::string(upstream_url);
  if (upstream_url.empty()) {
    err.message = "--upstream: an upstream URL is required (e.g. http://127.0.0.1:9099/v1)";
    return std::nullopt;
  }
  auto parsed = parse_upstream_url(upstream_url, why);
  if (!parsed) {
    err.message = "--upstream: " + why;
    return std::nullopt;
  }
  u.parsed = std::move(*parsed);

  if (format.empty() || format == "openai") {
    u.format = ApiFormat::kOpenAi;
  } else if (format == "anthropic") {
    u.format = ApiFormat::kAnthropic;
  } else {
    err.message = "--upstream-format: must be openai or anthropic";
    return std::nullopt;
  }

  if (!key_ref.empty()) {
    if (!is_secret_ref(key_ref)) {
      err.message =
          "--upstream-key: must not be the key itself; pass env:NAME (an environment variable) "
          "or file:PATH (a file holding the key)";
      return std::nullopt;
    }
    u.api_key_ref = std::string(key_ref);
    auto secret = resolve_secret(key_ref, why);
    if (!secret) {
      err.message = "--upstream-key: " + why;
      return std::nullopt;
    }
    u.api_key = std::move(*secret);
  }
  if (upstream_max_connections > kMaxUpstreamConnections) {
    err.message = "--upstream-max-connections: must be between 1 and " +
                  std::to_string(kMaxUpstreamConnections) + ", not " +
                  std::to_string(upstream_max_connections);
    return std::nullopt;
  }
  if (upstream_max_connections > 0) {
    u.max_connections = upstream_max_connections;
    u.max_idle = std::min(u.max_idle, u.max_connections);
  }
  config.upstreams.push_back(std::move(u));
  return config;
}

// Quick mode knows nothing of the upstream's models, so it does not assume they reason: thinking
// from an Anthropic client is dropped (and named) unless --reasoning says otherwise, because an
// upstream whose model does not reason may refuse reasoning_effort outright.
bool apply_quick_translation(bool reasoning, std::string_view unsupported_fields, Config& config,
                             ConfigError& err) {
  config.translation.reasoning = reasoning;
  if (unsupported_fields.empty() || unsupported_fields == "drop") {
    config.translation.unsupported_fields = UnsupportedFields::kDrop;
  } else if (unsupported_fields == "refuse") {
    config.translation.unsupported_fields = UnsupportedFields::kRefuse;
  } else {
    err.message = "--unsupported-fields: must be drop or refuse";
    return false;
  }
  return true;
}

}  // namespace ringgate::config
