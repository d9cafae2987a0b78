// The ringgate command line: serve, reload, check-config, keygen, seal-key, usage, tokens,
// deployments, top, version.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <string>

#include "engine/config/config.h"
#include "engine/config/key_material.h"
#include "engine/config/listen_address.h"
#include "engine/config/name_rules.h"
#include "engine/config/secret.h"
#include "engine/gateway/gateway.h"
#include "engine/telemetry/ledger_reader.h"
#include "engine/telemetry/pg_ledger_reader.h"
#include "engine/telemetry/usage_report.h"
#include "tools/cli/deployments_command.h"
#include "tools/cli/seal_key_command.h"
#include "tools/cli/tokens_command.h"
#include "tools/cli/top_command.h"

#ifdef RINGGATE_WITH_MIMALLOC
#include <mimalloc.h>

#include <cstdlib>
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

// A new gateway key, printed once with the [[keys]] lines that admit it. The key goes to stdout
// only (that is the point); the config gets its SHA-256, never the key.
int keygen(std::string id) {
  if (id.empty()) {  // random, so keys made without --id never clash in one config
    std::optional<std::string> suffix = config::generate_key();
    if (suffix) id = "key-" + config::sha256_hex(*suffix).substr(0, 8);
  }
  if (!config::valid_id(id)) {
    std::fprintf(stderr, "ringgate keygen: --id %s\n", std::string(config::kIdRule).c_str());
    return 2;
  }
  std::optional<std::string> key = config::generate_key();
  if (!key) {
    std::fprintf(stderr, "ringgate keygen: the random generator failed; no key was made\n");
    return 1;
  }
  std::printf(
      "%s\n"
      "# The line above is the new key, shown only this once: give it to its user. The gateway\n"
      "# keeps only its SHA-256; add these lines to its config file, then reload it:\n"
      "[[keys]]\n"
      "id = \"%s\"\n"
      "sha256 = \"%s\"\n",
      key->c_str(), id.c_str(), config::sha256_hex(*key).c_str());
  return 0;
}

struct UsageArgs {
  std::string ledger, config, since, by = "key", postgres;
  bool json = false, rows = false, fleet = false;
};

// The fleet ledger's connection string: --postgres as env:NAME / file:PATH (or the string
// itself), or with --fleet the [ledger] postgres of --config. "" after saying why.
std::string usage_conninfo(const UsageArgs& a) {
  std::string why;
  if (!a.postgres.empty()) {
    if (!config::is_secret_ref(a.postgres)) return a.postgres;
    std::optional<std::string> conninfo = config::resolve_secret(a.postgres, why);
    if (!conninfo) std::fprintf(stderr, "ringgate usage: --postgres: %s\n", why.c_str());
    return conninfo.value_or("");
  }
  config::ConfigError err;
  std::optional<config::LedgerConfig> l =
      a.config.empty() ? std::nullopt : config::load_ledger_config(a.config, err);
  if (!l || !l->ships_to_postgres()) {
    std::fprintf(stderr, "ringgate usage: --fleet needs --config FILE with [ledger] postgres%s%s\n",
                 err.message.empty() ? "" : ": ", err.message.c_str());
    return "";
  }
  return l->postgres_conninfo;
}

// The fleet's sums from PostgreSQL (every node's rows); `ringgate usage --postgres`.
int fleet_usage(const UsageArgs& a, int64_t since, telemetry::UsageGrouping by) {
  if (a.rows) {
    std::fprintf(stderr, "ringgate usage: --rows reads a node's file (--ledger), not the fleet\n");
    return 2;
  }
  const std::string conninfo = usage_conninfo(a);
  if (conninfo.empty()) return 2;
  std::string why;
  std::unique_ptr<telemetry::PgLedgerReader> reader =
      telemetry::PgLedgerReader::open(conninfo, why);
  std::optional<std::vector<telemetry::UsageGroup>> groups;
  if (reader) groups = reader->usage(since * 1000, by, why);
  if (!groups) {
    std::fprintf(stderr, "ringgate usage: fleet ledger: %s\n", why.c_str());
    return 1;
  }
  const std::string out = a.json ? telemetry::usage_json(*groups, by, since)
                                 : telemetry::usage_table(*groups, by, since);
  std::fputs(out.c_str(), stdout);
  return 0;
}

// The ledger file usage reads: --ledger, or the [ledger] path of --config. "" after saying why.
std::string usage_ledger_path(const UsageArgs& a, int& code) {
  code = 2;
  if (a.ledger.empty() == a.config.empty()) {
    std::fprintf(stderr, "ringgate usage: give --ledger PATH or --config FILE (one of them)\n");
    return "";
  }
  if (!a.ledger.empty()) return a.ledger;
  config::ConfigError err;
  std::optional<config::LedgerConfig> l = config::load_ledger_config(a.config, err);
  if (!l) {
    std::fprintf(stderr, "%s\n", err.message.c_str());
    return "";
  }
  if (!l->enabled())
    std::fprintf(stderr, "ringgate usage: %s has no [ledger] path\n", a.config.c_str());
  return l->path;
}

// Sums from the ledger per key, team or model since a time; read-only, so it runs beside a
// gateway writing the same file. 2: bad arguments; 1: the ledger could not be read.
int usage(const UsageArgs& a) {
  std::string why;
  std::optional<int64_t> since = telemetry::parse_since(a.since, int64_t(std::time(nullptr)), why);
  std::optional<telemetry::UsageGrouping> by = telemetry::parse_grouping(a.by);
  if (!since || !by) {
    std::fprintf(
        stderr, "ringgate usage: %s\n",
        !since ? why.c_str() : ("--by " + a.by + ": give key, team, model or node").c_str());
    return 2;
  }
  if (!a.postgres.empty() || a.fleet) return fleet_usage(a, *since, *by);
  int code = 2;
  const std::string path = usage_ledger_path(a, code);
  if (path.empty()) return code;
  std::unique_ptr<telemetry::LedgerReader> reader = telemetry::LedgerReader::open(path, why);
  if (a.rows) {
    std::optional<std::vector<telemetry::LedgerRow>> rows;
    if (reader) rows = reader->rows_since(*since * 1000, why);
    if (!rows) {
      std::fprintf(stderr, "ringgate usage: %s\n", why.c_str());
      return 1;
    }
    const std::string out = telemetry::usage_rows_json_lines(*rows);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  std::optional<std::vector<telemetry::UsageGroup>> groups;
  if (reader) groups = reader->usage(*since * 1000, *by, why);
  if (!groups) {
    std::fprintf(stderr, "ringgate usage: %s\n", why.c_str());
    return 1;
  }
  const std::string out = a.json ? telemetry::usage_json(*groups, *by, *since)
                                 : telemetry::usage_table(*groups, *by, *since);
  std::fputs(out.c_str(), stdout);
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
  bool quick_reasoning = false;
  std::string quick_unsupported_fields;
  serve->add_flag("--reasoning", quick_reasoning,
                  "Quick mode: the upstream's models reason, so an Anthropic client's thinking and "
                  "output_config.effort become reasoning_effort (default: dropped, and named in "
                  "x-ringgate-dropped-fields)");
  serve->add_option("--unsupported-fields", quick_unsupported_fields,
                    "Quick mode: drop (default) or refuse the fields of an Anthropic request that "
                    "an OpenAI-format upstream has no equivalent for");
  config::QuickAdmission quick_admission;
  serve->add_option("--auth-key", quick_admission.auth_key_ref,
                    "Quick mode: require this one gateway key from clients, as env:NAME or "
                    "file:PATH (at least 32 random-looking characters; see ringgate keygen); "
                    "without it every client is served");
  serve->add_option("--cors-origin", quick_admission.cors_origins,
                    "Quick mode: a browser origin allowed by CORS, e.g. https://app.example.com "
                    "(repeatable)");
  serve->add_option("--trusted-proxy", quick_admission.trusted_proxies,
                    "Quick mode: a proxy address or CIDR whose X-Forwarded-For / Forwarded is "
                    "believed (repeatable)");
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

  std::string keygen_id;
  CLI::App* keygen_cmd = app.add_subcommand(
      "keygen",
      "Print a new gateway key once, with the [[keys]] lines (its SHA-256) for the config");
  keygen_cmd->add_option("--id", keygen_id,
                         "The key's id in logs, metrics and the ledger (default: key-XXXXXXXX)");

  ringgate::cli::SealKeyOptions seal_options;
  CLI::App* seal_cmd = app.add_subcommand(
      "seal-key",
      "Seal a provider key read from stdin for a [[keys]] entry's provider_keys (BYOK)");
  seal_cmd->add_option("--key-id", seal_options.key_id, "The [[keys]] id it belongs to")
      ->required();
  seal_cmd->add_option("--config,-c", seal_options.config,
                       "Take the master key reference from this config file's [byok] table");
  seal_cmd->add_option("--master", seal_options.master, "The master key: env:NAME or file:PATH");

  UsageArgs usage_args;
  CLI::App* usage_cmd = app.add_subcommand(
      "usage", "Sum requests, tokens and cost from the usage ledger, per key, team or model");
  usage_cmd->add_option("--ledger", usage_args.ledger, "The ledger file ([ledger] path)");
  usage_cmd->add_option("--config,-c", usage_args.config,
                        "Take the ledger path from this config file's [ledger] table");
  usage_cmd
      ->add_option("--since", usage_args.since,
                   "From when: 30m, 24h, 7d, unix seconds, 2026-03-15 or "
                   "2026-03-15T12:00:00Z (UTC)")
      ->required();
  usage_cmd->add_option("--by", usage_args.by,
                        "Group by key (default), team, model or node (node: the fleet ledger)");
  usage_cmd->add_option("--postgres", usage_args.postgres,
                        "Read the fleet ledger in PostgreSQL: its connection string as env:NAME "
                        "or file:PATH (a string given here is visible to other local users)");
  usage_cmd->add_flag("--fleet", usage_args.fleet,
                      "Read the fleet ledger named by --config's [ledger] postgres");
  usage_cmd->add_flag("--json", usage_args.json, "Print JSON instead of a table");
  usage_cmd->add_flag("--rows", usage_args.rows,
                      "Print every row since --since, one JSON object per line, instead of sums");
  ringgate::cli::TokensOptions tokens_options;
  CLI::App* tokens = app.add_subcommand(
      "tokens", "Print the token ids (or count) of stdin, as tiktoken's encode_ordinary would");
  tokens->add_option("--encoding", tokens_options.encoding, "o200k_base (default) or cl100k_base");
  tokens->add_option("--model", tokens_options.model,
                     "Use the encoding the gateway counts this model's tokens in");
  tokens->add_option("--ranks", tokens_options.ranks,
                     "The .tiktoken rank file (default: $RINGGATE_TOKENIZER_DIR or "
                     "build-data/tokenizer, as tools/setup.sh writes it)");
  tokens->add_flag("--count", tokens_options.count, "Print the number of tokens only");
  tokens->add_flag("--nul-separated,-0", tokens_options.nul_separated,
                   "stdin is NUL-separated texts; print one line per text");
  tokens->add_option("--bench", tokens_options.repeat,
                     "Count stdin this many times and print the throughput (MB/s)");

  ringgate::cli::DeploymentsOptions deployments_options;
  CLI::App* deployments_cmd = app.add_subcommand(
      "deployments", "Print each managed deployment's state, pid, port, uptime and requests");
  deployments_cmd->add_option("--config,-c", deployments_options.config,
                              "The gateway's config file (its listen address; and what to list "
                              "when no gateway runs)");
  deployments_cmd->add_option("--url", deployments_options.url,
                              "http://HOST:PORT of the running gateway");
  deployments_cmd->add_flag("--json", deployments_options.json, "Print JSON instead of a table");

  ringgate::cli::TopOptions top_options;
  CLI::App* top_cmd = app.add_subcommand(
      "top", "Live overview of a running gateway: traffic, latency, limits, budgets, breakers");
  top_cmd->add_option("--config,-c", top_options.config,
                      "The gateway's config file (its listen address)");
  top_cmd->add_option("--url", top_options.url,
                      "http://HOST:PORT of the running gateway (default: the config's listen "
                      "address, else http://127.0.0.1:8080)");
  top_cmd->add_option("--admin-key-env", top_options.admin_key_env,
                      "The environment variable holding the admin key (default "
                      "RINGGATE_ADMIN_KEY)");
  top_cmd->add_option("--interval-ms", top_options.interval_ms, "Refresh interval (default 1000)")
      ->check(CLI::Range(100u, 3600000u));
  top_cmd->add_flag("--once", top_options.once,
                    "Print one frame and exit (1, with the reason on stderr, when the gateway "
                    "gave no data)");

  app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // usage's bad arguments exit 2, like the checks it makes itself.
    return code != 0 && argc > 1 && std::string_view(argv[1]) == "usage" ? 2 : code;
  }

  if (app.got_subcommand("version")) {
    std::printf("ringgate %s\n", RINGGATE_VERSION);
    return 0;
  }
  if (app.got_subcommand("reload")) return send_reload(reload_pid_file);
  if (app.got_subcommand("keygen")) return keygen(keygen_id);
  if (app.got_subcommand(seal_cmd)) return ringgate::cli::seal_key_command(seal_options);
  if (app.got_subcommand(usage_cmd)) return usage(usage_args);
  if (app.got_subcommand("tokens")) return ringgate::cli::tokens_command(tokens_options);
  if (app.got_subcommand(deployments_cmd)) {
    return ringgate::cli::deployments_command(deployments_options);
  }
  if (app.got_subcommand(top_cmd)) return ringgate::cli::top_command(top_options);
  config::ConfigError err;
  if (app.got_subcommand("check-config")) {
    std::optional<config::Config> cfg = config::load_config_file(check_path, err);
    if (!cfg) {
      std::fprintf(stderr, "%s\n", err.message.c_str());
      return 1;
    }
    // The certificate and key are loaded as serve would load them (permissions included).
    std::string tls_err;
    if (cfg->server.tls.enabled && !gateway::make_server_tls(cfg->server.tls, tls_err)) {
      std::fprintf(stderr, "%s: %s\n", check_path.c_str(), tls_err.c_str());
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
    if (!quick_admission.auth_key_ref.empty() || !quick_admission.cors_origins.empty() ||
        !quick_admission.trusted_proxies.empty()) {
      std::fprintf(stderr,
                   "ringgate: --auth-key, --cors-origin and --trusted-proxy are for quick mode; "
                   "with --config, write [[keys]], [cors] and [server] trusted_proxies in the "
                   "file\n");
      return 2;
    }
    if (quick_reasoning || !quick_unsupported_fields.empty()) {
      std::fprintf(stderr,
                   "ringgate: --reasoning and --unsupported-fields are for quick mode; with "
                   "--config, write reasoning and unsupported_fields in [translation] or "
                   "[[models]]\n");
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
    if (cfg && !config::apply_quick_admission(quick_admission, *cfg, err)) cfg.reset();
    if (cfg &&
        !config::apply_quick_translation(quick_reasoning, quick_unsupported_fields, *cfg, err)) {
      cfg.reset();
    }
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
