// The ringgate command line: serve, check-config, version.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "engine/config/config.h"
#include "engine/config/listen_address.h"
#include "engine/gateway/gateway.h"

#ifdef RINGGATE_WITH_MIMALLOC
#include <cstdlib>

#include <mimalloc.h>
#endif

using namespace ringgate;

namespace {

// mimalloc 2.0.9 (Debian 12) decommits freed pages only after decommit_delay (25 ms), and only
// when the heap that owns them is used again: a shard that goes quiet after a burst would keep
// the burst's pages resident for good. With no delay, a freed page goes back to the OS when it
// is freed. The buffer pools keep what a warm shard reuses, so this touches only the excess of
// a burst. MIMALLOC_DECOMMIT_DELAY in the environment still wins. seed-defect: 004-P14
void return_freed_memory_promptly() {
#ifdef RINGGATE_WITH_MIMALLOC
  if (std::getenv("MIMALLOC_DECOMMIT_DELAY") == nullptr) mi_option_set(mi_option_decommit_delay, 0);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  return_freed_memory_promptly();
  CLI::App app{"ringgate: an OpenAI- and Anthropic-compatible LLM gateway on io_uring"};
  app.require_subcommand(1);

  std::string config_path, listen, upstream, upstream_key, upstream_format;
  unsigned shards = 0;
  uint32_t upstream_max_connections = 0;
  CLI::App* serve = app.add_subcommand("serve", "Run the gateway");
  serve->add_option("--config,-c", config_path, "TOML config file (see ringgate.example.toml)");
  serve->add_option("--listen", listen, "HOST:PORT to listen on (overrides the config file)");
  serve->add_option(
      "--upstream", upstream,
      "Quick mode: send every request to this API base, e.g. http://127.0.0.1:8000/v1");
  serve->add_option("--upstream-key", upstream_key,
                    "Quick mode: provider key as env:NAME or file:PATH (never the key itself)");
  serve->add_option("--upstream-format", upstream_format,
                    "Quick mode: openai (default) or anthropic");
  serve->add_option("--upstream-max-connections", upstream_max_connections,
                    "Quick mode: upstream connections per shard (default 1024); beyond it "
                    "requests queue (1024 deep, 5 s), then 503 with Retry-After");
  serve->add_option("--shards", shards,
                    "Shards (threads); 0 = one per CPU (overrides the config file)");

  std::string check_path;
  CLI::App* check = app.add_subcommand("check-config", "Validate a config file without serving");
  check->add_option("file", check_path, "TOML config file")->required();

  app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);

  if (app.got_subcommand("version")) {
    std::printf("ringgate %s\n", RINGGATE_VERSION);
    return 0;
  }
  config::ConfigError err;
  if (app.got_subcommand("check-config")) {
    std::optional<config::Config> cfg = config::load_config_file(check_path, err);
    if (!cfg) {
      std::fprintf(stderr, "%s\n", err.message.c_str());
      return 1;
    }
    std::printf("%s: ok\n%s", check_path.c_str(), config::describe(*cfg).c_str());
    return 0;
  }

  std::optional<config::Config> cfg;
  if (!config_path.empty()) {
    if (!upstream.empty()) {
      std::fprintf(stderr, "ringgate: give either --config or --upstream, not both\n");
      return 2;
    }
    cfg = config::load_config_file(config_path, err);
    if (cfg && !listen.empty()) {
      std::string e;
      std::optional<config::ListenAddress> addr = config::parse_listen_address(listen, e);
      if (!addr) {
        std::fprintf(stderr, "ringgate: --listen: %s\n", e.c_str());
        return 2;
      }
      cfg->server.listen_host = addr->host;
      cfg->server.listen_port = addr->port;
    }
    if (cfg && shards) cfg->server.shards = shards;
  } else if (!upstream.empty()) {
    cfg = config::quick_config(listen.empty() ? "127.0.0.1:8080" : listen, upstream, upstream_key,
                               upstream_format, shards, err, upstream_max_connections);
  } else {
    std::fprintf(stderr, "ringgate serve: give --config FILE, or --upstream URL for quick mode\n");
    return 2;
  }
  if (!cfg) {
    std::fprintf(stderr, "%s\n", err.message.c_str());
    return 1;
  }
  return gateway::serve_until_signalled(std::move(*cfg));
}
