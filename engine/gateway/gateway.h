// The gateway process: listeners, shards, the DNS resolver, and a graceful stop.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cache/embedder.h"
#include "cache/exact_cache.h"
#include "cache/response_store.h"
#include "cache/semantic_cache.h"
#include "cache/semantic_writer.h"
#include "cache/single_flight.h"
#include "engine/cluster/fleet_limiter.h"
#include "engine/config/config.h"
#include "engine/config/runtime.h"
#include "engine/gateway/gateway_state.h"
#include "engine/gateway/health_prober.h"
#include "engine/gateway/shard.h"
#include "engine/io/dns_resolver.h"
#include "engine/io/tls_server_context.h"
#include "engine/managed/process_supervisor.h"
#include "engine/telemetry/count_worker.h"
#include "engine/telemetry/metrics.h"
#include "engine/telemetry/pg_shipper.h"
#include "engine/telemetry/record_consumer.h"
#include "providers/tokenizer/tokenizer_set.h"

namespace ringgate::gateway {

class Gateway {
 public:
  explicit Gateway(config::Config config);
  ~Gateway();

  // Resolves upstream names, opens one SO_REUSEPORT listener per shard and starts the shards.
  bool start(std::string& err);
  uint16_t port() const { return port_; }
  // The port of [server.tls] listen, 0 when TLS has no listener of its own.
  uint16_t tls_port() const { return tls_port_; }
  unsigned shard_count() const { return unsigned(shards_.size()); }
  // Stops accepting, lets in-flight requests finish (up to the drain timeout), then returns.
  void stop();
  // Builds and checks the tables for `next`, then swaps them in on every shard: requests in
  // flight finish on the old snapshot, new ones start on this one. False (nothing changed)
  // with the reason in err; `notes` gets warnings for settings that need a restart.
  bool reload(config::Config next, std::string& err, std::string& notes);
  const config::Runtime& runtime() const { return *runtime_; }

 private:
  // Resolves the upstream names of `rt` that `known` lacks (all of them at start).
  void resolve_upstreams(const config::Runtime& rt, const config::Runtime* known);
  bool open_ledger(std::string& err);
  // [ledger] postgres: the shipper, and the fleet's spend for budgets. false: no file to ship from.
  bool open_fleet_ledger(std::string& err, bool& budgets_restored);
  // Opens shard i's listeners: [server] listen, plus [server.tls] listen when it has one.
  bool open_listeners(unsigned i, std::vector<Shard::Listener>& out, std::string& err);
  // A new context from `tls`'s files for new connections (start and every reload); false with
  // the reason when a file is missing, unreadable, mismatched or its permissions are too open.
  bool load_server_tls(const config::ServerTls& tls, std::string& err);
  bool open_access_log(const config::LogConfig& log, std::FILE*& out, std::string& err);
  static std::shared_ptr<const providers::tokenizer::TokenizerSet> load_tokenizers();
  // semantic_setup.cc: the index, embedder and writer when [cache.semantic] is on.
  void start_semantic_cache(const config::CacheConfig& cc);

  // [cluster] as the process started with it (a reload keeps it); before runtime_, which its
  // leases are built into.
  std::shared_ptr<cluster::FleetLimiter> fleet_;
  std::shared_ptr<const config::Runtime> runtime_;  // what shards were last told to adopt
  std::string build_error_;  // why the constructor's config made no tables; start() says it
  std::unique_ptr<io::DnsResolver> resolver_;
  std::unique_ptr<HealthProber> prober_;  // after the resolver it reads, stopped before it
  // Runs managed deployments' servers; stopped after the shards drained (their requests need it).
  std::unique_ptr<managed::ProcessSupervisor> supervisor_;
  GatewayState state_;
  // Every shard's counters; declared before the shards, so it outlives them.
  telemetry::MetricsRegistry metrics_;
  std::vector<std::unique_ptr<Shard>> shards_;
  // Declared after the shards, so stopped before them: its callbacks wake shards.
  std::unique_ptr<telemetry::AdminLedgerQueries> admin_ledger_;
  std::unique_ptr<telemetry::Ledger> ledger_;  // null: no [ledger]
  // Ships the ledger's rows to the fleet's PostgreSQL; null without [ledger] postgres.
  std::unique_ptr<telemetry::PgShipper> pg_shipper_;
  std::FILE* access_log_file_ = nullptr;  // [log] access as a file path
  // Budget alerts' webhook thread; declared before the consumer that posts to it, to outlive it.
  std::unique_ptr<telemetry::WebhookSender> webhook_;
  telemetry::AdminSeries admin_series_;  // written by the consumer below, which it outlives
  std::unique_ptr<telemetry::RecordConsumer> records_;  // drains every shard's record ring
  // Loaded once at start, read-only, shared by the accounting thread and the count worker; null
  // when no rank file could be read (counting off).
  std::shared_ptr<const providers::tokenizer::TokenizerSet> tokenizers_;
  std::unique_ptr<telemetry::CountWorker> count_worker_;  // prompts counted off the shards
  // Sized by the config at start; a reload keeps it (and what it holds) as it is.
  std::unique_ptr<cache::ResponseStore> responses_;
  std::unique_ptr<cache::ExactCache> exact_cache_;  // null when [cache] was off at start
  std::unique_ptr<cache::SingleFlight> flights_;
  // semantic_setup.cc; declared after the shards, so destroyed (callbacks answered, threads
  // joined) while the shards they wake still exist. The writer goes first: it inserts into the
  // index.
  std::unique_ptr<cache::Embedder> embedder_;
  std::unique_ptr<cache::SemanticCache> semantic_;
  std::unique_ptr<cache::SemanticWriter> semantic_writer_;
  std::vector<int> listen_fds_;
  uint16_t port_ = 0;
  uint16_t tls_port_ = 0;
  bool tls_listening_ = false;  // some listener serves TLS (fixed at start)
};

struct ServeOptions {
  // Loads the config again for SIGHUP (the file, with the command line's overrides); empty in
  // quick mode, where a reload is refused.
  std::function<std::optional<config::Config>(config::ConfigError&)> load_again;
  std::string pid_file;  // written once listening, removed at exit; "" = none
};

// The client listener's TLS context from [server.tls]'s files (start, reload and check-config);
// null with `err` naming the file and the reason (never key material).
std::shared_ptr<io::TlsServerContext> make_server_tls(const config::ServerTls& tls,
                                                      std::string& err);

// Runs the gateway until SIGINT or SIGTERM, then drains; SIGHUP reloads. Returns the process
// exit code.
int serve_until_signalled(config::Config config, const ServeOptions& options = {});

}  // namespace ringgate::gateway
