// ringgate's configuration: the in-memory shape every other part of the engine reads, and the
// entry points that build it from a TOML file, a TOML string or the quick-mode command line.
//
// A Config is a plain value: copyable, immutable once loaded, safe to share read-only across
// shards (the engine swaps whole snapshots by pointer on reload).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/config/admission_config.h"
#include "engine/config/alerts_config.h"
#include "engine/config/cache_config.h"
#include "engine/config/cluster_config.h"
#include "engine/config/key_material.h"
#include "engine/config/secret.h"
#include "engine/config/upstream_url.h"
#include "providers/api_format.h"
#include "providers/translation_types.h"

namespace ringgate::config {

inline constexpr unsigned kMaxShards = 1024;
inline constexpr uint32_t kMaxUpstreamConnections = 100'000;  // per shard

// All in milliseconds. Config keys in [timeouts] carry the same names.
struct Timeouts {
  uint32_t header_read_ms = 10000;
  uint32_t body_read_ms = 30000;
  uint32_t keepalive_idle_ms = 60000;
  uint32_t upstream_connect_ms = 5000;
  uint32_t upstream_ttfb_ms = 120000;
  uint32_t stream_idle_ms = 120000;
  uint32_t total_ms = 600000;
  // A streamed response silent this long gets an SSE comment (": ping"), client side only;
  // 0 = never. Not a timeout: it restarts no other timer.
  uint32_t sse_heartbeat_ms = 15000;
};

// The providers' own enum, so the adapters read it without a mapping that names providers.
using ApiFormat = providers::ApiFormat;
using UnsupportedFields = providers::UnsupportedFields;

std::string_view to_string(ApiFormat format);

struct Upstream {
  std::string name;
  std::string url;  // as written; safe to log (userinfo and query strings are refused)
  UpstreamUrl parsed;
  ApiFormat format = ApiFormat::kOpenAi;
  std::string api_version;  // Azure's api-version query value; required for azure, else empty
  std::string api_key;      // resolved secret value; empty when no api_key is configured
  std::string api_key_ref;  // "env:NAME" / "file:PATH" as written; safe to log
  std::string ca_file;      // extra CA bundle for TLS; the system store otherwise
  providers::ResponsesApi responses_api = providers::ResponsesApi::kNative;
  bool tls_verify = true;
  // Per shard. At max_connections a request waits in a FIFO of at most queue_depth (0: no
  // queue) for up to queue_timeout_ms, then gets a 503 with Retry-After.
  uint32_t max_connections = 1024;
  uint32_t max_idle = 32;
  uint32_t queue_depth = 1024;
  uint32_t queue_timeout_ms = 5000;

  // What the provider adapters need; views into this Upstream.
  providers::UpstreamTarget target() const {
    return {format, parsed.base_path, api_version, responses_api};
  }
};

// How a model's deployments are ordered for each request (engine/upstream's Balancer).
enum class BalanceStrategy { kWeighted, kLeastOutstanding, kLatency };
std::string_view to_string(BalanceStrategy s);

// What a request does after an attempt that was written whole and then got no answer (timed out
// or closed): it is never sent to that deployment again; kNext tries the next candidate anyway
// (the earlier attempt is recorded as possibly billed), kFail answers the client with the error.
enum class OnTimeout { kNext, kFail };

// A deployment's active health probe (engine/gateway/health_prober): a GET of a free path, never
// a completion. `path` "" = the upstream format's model list ("/v1/models" or its equivalent).
struct HealthProbe {
  bool enabled = true;
  std::string path;
  uint32_t interval_ms = 10000;
  uint32_t grace_ms = 5000;  // before the first probe: a starting server is not stormed (004-P8)
  uint32_t timeout_ms = 2000;
  uint32_t max_backoff_ms = 60000;
  bool operator==(const HealthProbe&) const = default;
};

// A deployment's circuit breaker (engine/upstream/circuit_breaker.h, one per shard): opens after
// consecutive_failures in a row (0: never for that reason), or when the error rate over window_ms
// reaches error_rate with at least min_requests in the window; cooldown_ms before a probe, doubled
// per failed probe up to max_cooldown_ms.
struct BreakerSettings {
  uint32_t consecutive_failures = 5;
  double error_rate = 0.5;
  uint32_t window_ms = 10000;
  uint32_t min_requests = 20;
  uint32_t cooldown_ms = 5000;
  uint32_t max_cooldown_ms = 120000;
  bool operator==(const BreakerSettings&) const = default;
};

// [[deployments]]: one place a model runs, an upstream plus the model id it is sent as.
// A deployment whose server ringgate runs itself (engine/managed): started on the first request,
// stopped when idle. Its upstream is http://127.0.0.1:{port}/v1, implied by the loader.
struct ManagedServer {
  bool enabled = false;
  // argv, "{port}" in any argument replaced by the port; exec'd directly (no shell).
  std::vector<std::string> command;
  std::vector<std::pair<std::string, std::string>> env;  // added to ringgate's own environment
  uint16_t port = 0;
  std::string health = "/health";  // a 2xx here means started
  uint32_t start_timeout_ms = 120000;
  uint32_t idle_stop_ms = 600000;  // 0: never stopped for idleness
  uint32_t max_queued = 64;        // requests waiting for the start, node-wide
  uint32_t stop_grace_ms = 5000;   // SIGTERM, then SIGKILL of the process group after this
  bool operator==(const ManagedServer&) const = default;
};

struct Deployment {
  std::string name;      // exact, case-sensitive; shown in x-ringgate-deployment and the ledger
  std::string upstream;  // an [[upstreams]] name: its format picks the adapter
  std::string model;     // the id sent upstream (Azure: the deployment name in the path)
  std::vector<std::string> key_refs;  // "env:NAME" / "file:PATH" as written; safe to log
  std::vector<std::string> keys;      // resolved; empty = the upstream's api_key
  uint32_t weight = 1;                // relative share under the weighted strategy
  uint32_t max_concurrent = 0;        // in flight per node; 0 = no bound
  uint32_t connect_ms = 0;            // per attempt; the loader fills [timeouts] when unset
  uint32_t ttfb_ms = 0;
  Price price;  // set: overrides the model's price for requests served here
  // Off for the deployment a shorthand model implies: probes are for [[deployments]] entries.
  HealthProbe health;
  BreakerSettings breaker;
  ManagedServer managed;
};

// What a request for a model does while its managed deployment starts: wait for it (bounded by
// max_queued and total_ms), or go to the model's fallbacks at once.
enum class WhileStarting { kWait, kFallback };

struct Model {
  std::string name;
  std::vector<std::string> aliases;  // other names clients may use for this same entry
  // Shorthand for one deployment: upstream + upstream_model. With `deployments`, the loader sets
  // upstream to the first deployment's, the one metrics name the model's route after.
  std::string upstream;
  std::string upstream_model;  // "" = send `name` upstream unchanged; Azure: the deployment
  std::vector<std::string> deployments;  // [[deployments]] names, in the order written
  BalanceStrategy strategy = BalanceStrategy::kWeighted;
  std::vector<std::string> fallbacks;  // model names tried, in order, after every deployment
  OnTimeout on_timeout = OnTimeout::kNext;
  WhileStarting while_starting = WhileStarting::kWait;
  int64_t max_tokens_cap = 0;  // 0 = no cap
  int64_t default_max_tokens = 4096;
  Price price;        // [[models]] price: the default for every deployment of this model
  RateLimits limits;  // per model, across every caller
  // A client may send its own provider key in x-ringgate-provider-key for this model.
  bool client_provider_key = false;
  // Translation of Anthropic clients toward an OpenAI-format upstream ([translation] gives the
  // defaults): the upstream model reasons, so thinking / output_config.effort become
  // reasoning_effort (and max_tokens is sent as max_completion_tokens, as OpenAI's reasoning
  // models require); and what to do with fields that have no OpenAI equivalent.
  bool reasoning = false;
  UnsupportedFields unsupported_fields = UnsupportedFields::kDrop;
  // Which of its requests the exact cache may answer ([cache] policy is the default).
  cache::CachePolicy cache_policy = cache::CachePolicy::kTemperatureZero;

  // The model name sent to the upstream.
  const std::string& served_name() const { return upstream_model.empty() ? name : upstream_model; }
};

// [server.tls]: HTTPS on the client listener (README "TLS on the client listener").
struct ServerTls {
  bool enabled = false;  // a [server.tls] table is present
  // PEM files, relative to the config file's directory. cert_file: the certificate, then its
  // chain; key_file: unencrypted, readable by no other user.
  std::string cert_file, key_file;
  std::string client_ca_file;        // mutual TLS: clients must present a certificate it signed
  bool client_cert_required = true;  // client_cert = "required" | "optional"
  bool tls13_only = false;           // min_version = "1.2" (default) | "1.3"
  uint32_t handshake_ms = 10000;     // from accept to a finished handshake, then closed
  // listen = "HOST:PORT": a TLS listener of its own next to the plain [server] listen (plain on
  // loopback for health checks, TLS on the public address). Without it, [server] listen itself
  // serves HTTPS.
  bool own_listener = false;
  std::string listen_host;
  uint16_t listen_port = 0;
};

struct Server {
  std::string listen_host = "127.0.0.1";  // an IP literal; IPv6 without brackets
  uint16_t listen_port = 8080;
  unsigned shards = 0;              // 0 = one per online CPU
  size_t max_body_bytes = 4 << 20;  // the JSON endpoints (chat, messages, embeddings, ...)
  // Every other /v1 path (file uploads, batches): bodies are not JSON-checked and, as any
  // request body, are received whole before they are forwarded.
  size_t max_upload_bytes = 32 << 20;
  size_t max_head_bytes = 16384;
  size_t max_headers = 100;
  size_t max_response_bytes = 64 << 20;
  // One SSE event (relayed or translated); a larger one ends the stream with an error event.
  size_t max_sse_event_bytes = 1 << 20;
  unsigned max_connections = 10000;  // per shard
  // Bytes of idle buffers a shard keeps for reuse (client receive and upstream read buffers,
  // half each); what comes back beyond it is freed, so a burst does not stay resident.
  size_t max_pooled_buffer_bytes = 8 << 20;
  ServerTls tls;
};

// [ledger]: the SQLite usage ledger, one row per request (engine/telemetry/ledger.h).
struct LedgerConfig {
  std::string path;  // "" (no [ledger] path): no ledger; relative to the config file's directory
  uint32_t flush_interval_ms = 1000;  // a row is on disk at most this long after it was appended
  uint32_t batch_rows = 1000;         // or as soon as this many are waiting
  uint32_t queue_rows = 65536;        // appended but not yet written; beyond it rows are dropped
  // The fleet ledger (engine/telemetry/pg_shipper.h): rows shipped from the file to PostgreSQL.
  std::string postgres_ref;       // "env:NAME" / "file:PATH" as written; safe to log; "" = none
  std::string postgres_conninfo;  // what it resolved to: holds a password, never logged
  std::string node;               // this node's name in the fleet ledger; "" = hostname:listen port
  uint32_t postgres_flush_interval_ms = 1000;  // how often the shipper looks for new rows
  uint32_t postgres_batch_rows = 500;          // rows per INSERT
  bool enabled() const { return !path.empty(); }
  bool ships_to_postgres() const { return !postgres_ref.empty(); }
};

// [log]: where the access log goes, one JSON line per request written by the accounting thread
// (ids and names only, never a key): "off", "stderr", "stdout" or a file path, appended to.
struct LogConfig {
  std::string access = "off";  // a file path is relative to the config file's directory
};

// [metrics]: GET <path> in the Prometheus text format. With an admin key, only a request that
// presents it (Authorization: Bearer) is answered; without one, /metrics is served only in open
// access ([auth] mode = "none"): where clients must present keys, an endpoint that shows every
// team's and model's traffic must not be the one thing anyone may read.
struct Metrics {
  bool enabled = true;
  std::string path = "/metrics";
  std::string admin_key_ref;                // "env:NAME" / "file:PATH" as written; safe to log
  std::optional<KeyHash> admin_key_sha256;  // the key itself is never kept
};

// [translation]: defaults for every [[models]] entry (each may set its own), and what applies in
// passthrough, where no entry describes the model. Quick mode: --reasoning, --unsupported-fields.
struct TranslationDefaults {
  bool reasoning = false;
  UnsupportedFields unsupported_fields = UnsupportedFields::kDrop;
};

// [responses_store]: the node's memory of recent Responses conversations, so a translated
// request's previous_response_id finds the turns before it (cache/response_store.h).
struct ResponsesStoreConfig {
  int64_t ttl_ms = 3'600'000;
  int64_t max_bytes = 64 << 20;
  int64_t max_entries = 100'000;
  int64_t max_entry_bytes = 4 << 20;
};

// [managed]: where the state of managed children is recorded, so a restart after a crash can
// reap what the crashed run left (engine/managed/state_file.h).
struct ManagedConfig {
  std::string state_dir;  // "": /tmp/ringgate-<uid>/managed
};

struct Config {
  Server server;
  ManagedConfig managed;
  Timeouts timeouts;
  LedgerConfig ledger;
  LogConfig log;
  std::vector<Upstream> upstreams;
  std::vector<Model> models;
  std::vector<Deployment> deployments;  // [[deployments]], in file order
  Metrics metrics;
  Admission admission;  // [auth], [[teams]], [[keys]], [anonymous], [cors], trusted_proxies
  Alerts alerts;        // [alerts]: budget thresholds and the webhook
  TranslationDefaults translation;  // [translation]
  ResponsesStoreConfig responses_store;
  CacheConfig cache;         // [cache]
  ClusterConfig cluster;     // [cluster]: fleet-wide limits through Redis
  bool passthrough = false;  // every model and any /v1/* path goes to upstreams[0]
  std::string source_path;   // the file it came from, or a description for quick mode

  const Upstream* find_upstream(std::string_view name) const;
  const Deployment* find_deployment(std::string_view name) const;

  // The one place client-supplied model names are matched (seed-defect 002-7): an exact,
  // case-sensitive comparison against each model's name and its aliases, as OpenAI and Anthropic
  // treat model ids. No case folding, no suffix stripping: a variant a client should be able to
  // use is listed in `aliases`. The loader refuses names that differ only in case, so a near miss
  // is always a clear 404 and never a silent route to a different entry.
  const Model* find_model(std::string_view name) const;
};

// "path:line:column: message", one line per problem found (all of them, in file order).
struct ConfigError {
  std::string message;
};

// Parse, validate and resolve secrets. On failure returns nullopt and fills err.
std::optional<Config> load_config_file(const std::string& path, ConfigError& err);
// source_name stands in for the path in error messages. Relative file: secret paths resolve against
// the current directory here; load_config_file resolves them against the config file's directory.
std::optional<Config> load_config_string(std::string_view toml, std::string_view source_name,
                                         ConfigError& err);

// Only the [ledger] table of a config file, checked as load_config_file checks it, the rest
// unread (no secret is resolved): what `ringgate usage --config` needs.
std::optional<LedgerConfig> load_ledger_config(const std::string& path, ConfigError& err);

// Quick mode (no config file): one upstream, passthrough routing.
//   ringgate serve --listen H:P --upstream URL --upstream-key env:NAME
//                  --upstream-format openai|anthropic --shards N --upstream-max-connections N
// key_ref and format may be empty (no key; openai); upstream_max_connections 0 keeps the default.
std::optional<Config> quick_config(std::string_view listen, std::string_view upstream_url,
                                   std::string_view key_ref, std::string_view format,
                                   unsigned shards, ConfigError& err,
                                   uint32_t upstream_max_connections = 0);

// Quick mode's translation flags: --reasoning (the upstream's models reason) and
// --unsupported-fields drop|refuse ("" keeps the default, drop). Fills config.translation.
bool apply_quick_translation(bool reasoning, std::string_view unsupported_fields, Config& config,
                             ConfigError& err);

// Quick mode's admission flags. Without --auth-key quick mode stays open access (auth mode none,
// as quick_config returns it); with it, every request must present that one static key.
//   --auth-key env:NAME|file:PATH  --cors-origin ORIGIN (repeatable)  --trusted-proxy CIDR
//   (repeatable)
struct QuickAdmission {
  std::string auth_key_ref;  // "" = open access
  std::vector<std::string> cors_origins;
  std::vector<std::string> trusted_proxies;
};
// Fills config.admission from the flags: the key is resolved, checked for strength (refused when
// weak, seed-defect 000-C1) and kept only as VirtualKey{id "static", its SHA-256}.
bool apply_quick_admission(const QuickAdmission& flags, Config& config, ConfigError& err);

// Human summary for the startup log. Secrets appear only as their reference and redact(); of
// gateway keys only counts (never an id's hash, never a key).
std::string describe(const Config& config);

}  // namespace ringgate::config
