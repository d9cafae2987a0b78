// The ringgate command line: serve, reload, check-config, version.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
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

// The command line's --listen and --shards win over the file, at start and at every reload.
bool apply_overrides(config::Config& cfg, const std::string& listen, unsigned shards) {
  if (!listen.empty()) {
    std::string e;
    std::optional<config::ListenAddress> addr = config::parse_listen_address(listen, e);
    if (!addr) {
      std::fprintf(stderr, "ringgate: --listen: %s\n", e.c_str());
      return false;
    }
    cfg.server.listen_host = addr->host;
    cfg.server.listen_port = addr->port;
  }
  if (shards) cfg.server.shards = shards;
  return true;
}

// A pid from the file that names a live ringgate, or 0 after saying why not.
pid_t ringgate_pid_from(const std::string& pid_file) {
  std::ifstream in(pid_file);
  long pid = 0;
  if (!(in >> pid) || pid <= 1) {
    std::fprintf(stderr,
                 "ringgate reload: no pid in %s (is the gateway running with --pid-file %s?)\n",
                 pid_file.c_str(), pid_file.c_str());
    return 0;
  }
  // A stale file may name a pid the system has since given to something else.
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  if (!(comm >> name)) {
    std::fprintf(stderr, "ringgate reload: no process %ld (stale pid file %s?)\n", pid,
                 pid_file.c_str());
    return 0;
  }
  if (name != "ringgate") {
    std::fprintf(stderr, "ringgate reload: process %ld is %s, not ringgate (stale pid file %s?)\n",
                 pid, name.c_str(), pid_file.c_str());
    return 0;
  }
  return pid_t(pid);
}

// SIGHUP to the gateway; the gateway logs whether the new file was taken or refused.
int send_reload(const std::string& pid_file) {
  pid_t pid = ringgate_pid_from(pid_file);
  if (pid == 0) return 1;
  if (kill(pid, SIGHUP) != 0) {
    std::fprintf(stderr, "ringgate reload: kill %d: %s\n", int(pid), std::strerror(errno));
    return 1;
  }
  std::printf("sent SIGHUP to ringgate %d; its log says whether the config was reloaded\n",
              int(pid));
  return 0;
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
  std::string pid_file;
  serve->add_option("--pid-file", pid_file,
                    "Write the process id here once listening (for ringgate reload); none by "
                    "default");

  std::string reload_pid_file;
  CLI::App* reload =
      app.add_subcommand("reload", "Make a running gateway read its config file again (SIGHUP)");
  reload->add_option("--pid-file", reload_pid_file, "The file given to serve --pid-file")
      ->required();

  std::string check_path;
  CLI::App* check = app.add_subcommand("check-config", "Validate a config file without serving");
  check->add_option("file", check_path, "TOML config file")->required();

  app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);

  if (app.got_subcommand("version")) {
    std::printf("ringgate %s\n", RINGGATE_VERSION);
    return 0;
  }
  if (app.got_subcommand("reload")) return send_reload(reload_pid_file);
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
  gateway::ServeOptions options;
  options.pid_file = pid_file;
  if (!config_path.empty()) {
    if (!upstream.empty()) {
      std::fprintf(stderr, "ringgate: give either --config or --upstream, not both\n");
      return 2;
    }
    cfg = config::load_config_file(config_path, err);
    if (cfg && !apply_overrides(*cfg, listen, shards)) return 2;
    options.load_again = [config_path, listen, shards](config::ConfigError& e) {
      std::optional<config::Config> next = config::load_config_file(config_path, e);
      // --listen was valid at start, so the overrides cannot fail here.
      if (next) apply_overrides(*next, listen, shards);
      return next;
    };
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
  return gateway::serve_until_signalled(std::move(*cfg), options);
}
