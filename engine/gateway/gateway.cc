#include "engine/gateway/gateway.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string_view>
#include <thread>

#include "engine/admission/gatekeeper.h"
#include "engine/gateway/deployment_health.h"
#include "engine/gateway/deployment_state.h"
#include "engine/gateway/fd_limit.h"
#include "engine/gateway/shard.h"
#include "engine/io/socket_util.h"
#include "engine/io/tls_context.h"
#include "engine/telemetry/ledger_reader.h"
#include "engine/telemetry/pg_ledger_reader.h"
#include "providers/tokenizer/tokenizer_set.h"

namespace ringgate::gateway {

namespace {

// Admission state for keys, teams and models a reload left unchanged carries over from
// `previous` (buckets, in-flight counts, budgets).
std::shared_ptr<const config::Runtime> with_admission(
    std::shared_ptr<config::Runtime> rt, const config::Runtime* previous,
    std::shared_ptr<admission::FleetLeases> fleet = nullptr) {
  if (rt) {
    admission::Gatekeeper::Options options;
    options.fleet = std::move(fleet);
    rt->attach(admission::Gatekeeper::build(rt->config(),
                                            previous ? previous->gatekeeper() : nullptr, options));
    rt->attach(DeploymentSlots::build(*rt, previous ? previous->deployment_slots() : nullptr));
    rt->attach(DeploymentHealth::build(*rt, previous ? previous->deployment_health() : nullptr));
    rt->attach(managed::ManagedFleet::build(*rt, previous ? previous->managed_fleet() : nullptr));
  }
  return rt;
}

}  // namespace

Gateway::Gateway(config::Config config)
    : fleet_(cluster::FleetLimiter::make(config.cluster)),
      runtime_(with_admission(config::Runtime::build(std::move(config), build_error_), nullptr,
                              fleet_)) {}

Gateway::~Gateway() {
  stop();
  for (int fd : listen_fds_) close(fd);
}

void Gateway::resolve_upstreams(const config::Runtime& rt, const config::Runtime* known) {
  // seed-defect: 002-9 — upstream addresses are resolved before the first request is served.
  for (const config::RuntimeUpstream& ru : rt.upstreams()) {
    if (known && known->find_upstream(ru.id)) continue;
    const config::Upstream& up = *ru.def;
    std::string e;
    if (!resolver_->resolve_now_blocking(up.parsed.host, up.parsed.port, e)) {
      std::fprintf(stderr, "ringgate: warning: upstream %s: %s (will retry in background)\n",
                   up.name.c_str(), e.c_str());
    }
  }
}

// Once per process: a missing rank file is said here, once, and counting in that encoding is off
// (usage an upstream does not report then stays unknown).
std::shared_ptr<const providers::tokenizer::TokenizerSet> Gateway::load_tokenizers() {
  std::vector<std::string> warnings;
  auto set = providers::tokenizer::TokenizerSet::load(
      providers::tokenizer::TokenizerSet::default_dir(), &warnings);
  for (const std::string& w : warnings) {
    std::fprintf(stderr, "ringgate: warning: tokenizer: %s (tools/tokenizer_ranks.sh writes it)\n",
                 w.c_str());
  }
  if (set->empty()) {
    std::fprintf(stderr, "ringgate: warning: no tokenizer loaded: token counting is off\n");
    return nullptr;
  }
  return set;
}

bool Gateway::start(std::string& err) {
  if (!runtime_) {
    err = build_error_;
    return false;
  }
  tokenizers_ = load_tokenizers();
  const config::Config& cfg = runtime_->config();
  if (!open_ledger(err)) return false;
  if (ledger_) {
    admin_ledger_ = std::make_unique<telemetry::AdminLedgerQueries>(cfg.ledger.path);
    state_.admin_ledger = admin_ledger_.get();
  }
  resolver_ = std::make_unique<io::DnsResolver>();
  resolve_upstreams(*runtime_, nullptr);
  prober_ = std::make_unique<HealthProber>(*resolver_);
  prober_->update(runtime_);
  if (!prober_->start(err)) return false;
  supervisor_ = std::make_unique<managed::ProcessSupervisor>(cfg.managed.state_dir);
  supervisor_->update(runtime_);
  if (!supervisor_->start(err)) return false;
  unsigned n = cfg.server.shards;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  std::fputs(raise_fd_limit(descriptors_needed(cfg, n)).c_str(), stderr);
  state_.publish(runtime_);
  state_.resolver = resolver_.get();
  state_.metrics = &metrics_;
  state_.admin_series = &admin_series_;
  state_.started_unix_s = int64_t(std::time(nullptr));
  if (fleet_) {
    fleet_->start();
    state_.fleet = fleet_.get();
  }
  state_.shard_count = n;
  const config::ResponsesStoreConfig& rs = cfg.responses_store;
  responses_ = std::make_unique<cache::ResponseStore>(cache::ResponseStoreLimits{
      size_t(rs.max_bytes), size_t(rs.max_entries), rs.ttl_ms, size_t(rs.max_entry_bytes)});
  state_.responses = responses_.get();
  // Sized at start: a reload may turn the cache off or on (when it was on at start), never resize.
  if (cfg.cache.enabled) {
    exact_cache_ = std::make_unique<cache::ExactCache>(cache::ExactCacheLimits{
        size_t(cfg.cache.max_bytes), size_t(cfg.cache.max_entry_bytes), cfg.cache.ttl_ms});
    state_.exact_cache = exact_cache_.get();
    flights_ = std::make_unique<cache::SingleFlight>(cfg.cache.max_followers);
    state_.flights = flights_.get();
  }
  start_semantic_cache(cfg.cache);
  if (tokenizers_) {
    const char* hold = std::getenv("RINGGATE_TEST_HOLD_COUNT_WORKER");
    count_worker_ = std::make_unique<telemetry::CountWorker>(n, tokenizers_,
                                                             hold && std::string_view(hold) == "1");
    state_.count_worker = count_worker_.get();
  }
  if (cfg.server.tls.enabled && !load_server_tls(cfg.server.tls, err)) return false;
  tls_listening_ = cfg.server.tls.enabled;
  port_ = cfg.server.listen_port;
  tls_port_ = cfg.server.tls.own_listener ? cfg.server.tls.listen_port : 0;
  std::vector<std::vector<Shard::Listener>> listeners(n);
  for (unsigned i = 0; i < n; ++i) {
    if (!open_listeners(i, listeners[i], err)) return false;
  }
  // Every shard is in the registry before any serves: a scrape reads the list unlocked.
  for (unsigned i = 0; i < n; ++i) {
    shards_.push_back(std::make_unique<Shard>(i, std::move(listeners[i]), state_));
    if (fleet_) fleet_->add_waker([s = shards_.back().get()] { s->wake_flight_followers(); });
    metrics_.add_shard(shards_.back()->metrics_source());
    state_.shards.push_back(shards_.back().get());
  }
  for (unsigned i = 0; i < n; ++i) {
    // A shard that never started stays listed (scrapes may read it); stop() skips its thread.
    if (!shards_[i]->start(err)) return false;
    if (i == 0) std::fprintf(stderr, "io_uring mode: %s\n", shards_[i]->ring().mode());
  }
  std::vector<telemetry::ShardRings> rings;
  for (auto& s : shards_) rings.push_back({&s->records(), &s->taps()});
  telemetry::RecordSinkOptions sinks;
  sinks.ledger = ledger_.get();
  sinks.metrics = &metrics_;
  sinks.admin = &admin_series_;
  if (!open_access_log(cfg.log, sinks.log, err)) return false;
  webhook_ = std::make_unique<telemetry::WebhookSender>(&metrics_.alerts());
  sinks.webhook = webhook_.get();
  const char* hold = std::getenv("RINGGATE_TEST_HOLD_ACCOUNTING");
  records_ = std::make_unique<telemetry::RecordConsumer>(std::move(rings), sinks, tokenizers_,
                                                         hold && std::string_view(hold) == "1");
  return true;
}

bool Gateway::open_listeners(unsigned i, std::vector<Shard::Listener>& out, std::string& err) {
  const config::Server& s = runtime_->config().server;
  // The first shard's listeners may pick their ports (0); the others share them through
  // SO_REUSEPORT, which is also why the two addresses must differ: they would share one port.
  if (i == 0 && s.tls.own_listener && s.tls.listen_port != 0 && s.tls.listen_port == port_ &&
      s.tls.listen_host == s.listen_host) {
    err = "[server.tls] listen is the same address as [server] listen";
    return false;
  }
  int fd = io::make_listener(s.listen_host, port_, 4096, &port_, err);
  if (fd < 0) return false;
  listen_fds_.push_back(fd);
  out.push_back({fd, s.tls.enabled && !s.tls.own_listener});
  if (!s.tls.own_listener) return true;
  fd = io::make_listener(s.tls.listen_host, tls_port_, 4096, &tls_port_, err);
  if (fd < 0) return false;
  listen_fds_.push_back(fd);
  out.push_back({fd, true});
  return true;
}

std::shared_ptr<io::TlsServerContext> make_server_tls(const config::ServerTls& tls,
                                                      std::string& err) {
  io::TlsServerOptions o;
  o.cert_file = tls.cert_file;
  o.key_file = tls.key_file;
  o.client_ca_file = tls.client_ca_file;
  o.client_cert_required = tls.client_cert_required;
  o.tls13_only = tls.tls13_only;
  std::string e;
  std::shared_ptr<io::TlsServerContext> ctx = io::TlsServerContext::create(o, e);
  if (!ctx) err = "[server.tls]: " + e;
  return ctx;
}

bool Gateway::load_server_tls(const config::ServerTls& tls, std::string& err) {
  std::shared_ptr<io::TlsServerContext> ctx = make_server_tls(tls, err);
  if (!ctx) return false;
  std::fprintf(stderr, "tls: serving %s%s; kTLS not used\n", ctx->description().c_str(),
               ctx->asks_client_certificates() ? ", client certificates verified" : "");
  state_.publish_server_tls(std::move(ctx));
  return true;
}

// RINGGATE_LOG=debug sends the access log to stderr when the config sends it nowhere.
bool Gateway::open_access_log(const config::LogConfig& log, std::FILE*& out, std::string& err) {
  const char* level = std::getenv("RINGGATE_LOG");
  const bool debug = level && std::string_view(level) == "debug";
  const std::string& to = debug && log.access == "off" ? "stderr" : log.access;
  out = to == "stderr" ? stderr : to == "stdout" ? stdout : nullptr;
  if (out || to == "off") return true;
  access_log_file_ = std::fopen(to.c_str(), "a");
  if (!access_log_file_) {
    err = "cannot open the access log " + to + ": " + std::strerror(errno);
    return false;
  }
  out = access_log_file_;
  return true;
}

// The ledger opens before anything is served, and the budgets its rows spent are restored from
// it (seed-defect: 003-1), so a restart cannot hand a key its budget again.
bool Gateway::open_ledger(std::string& err) {
  const config::Config& cfg = runtime_->config();
  if (!cfg.ledger.enabled()) return true;
  ledger_ =
      telemetry::Ledger::open(cfg.ledger.path, telemetry::LedgerOptions::from(cfg.ledger), err);
  if (!ledger_) return false;
  bool from_fleet = false;
  if (cfg.ledger.ships_to_postgres() && !open_fleet_ledger(err, from_fleet)) return false;
  if (from_fleet) return true;
  const auto restored = telemetry::restore_budgets_from_ledger(
      cfg.ledger.path, cfg, *runtime_->gatekeeper()->budget_store(), std::time(nullptr), err);
  if (!restored) return false;
  std::fprintf(stderr, "ledger: %s (budgets restored for %zu keys and teams)\n",
               cfg.ledger.path.c_str(), restored->restored);
  return true;
}

// The node's unshipped rows go first (for a few seconds at most), so the fleet's sums hold this
// node's whole file; then the budgets take the fleet's spend. With PostgreSQL unreachable the
// node starts anyway, from its own file (it cannot see the other nodes' spend: said loudly).
bool Gateway::open_fleet_ledger(std::string& err, bool& budgets_restored) {
  const config::Config& cfg = runtime_->config();
  std::string node = cfg.ledger.node;
  if (node.empty()) {
    char host[256] = "node";
    gethostname(host, sizeof host - 1);
    node = std::string(host) + ":" + std::to_string(cfg.server.listen_port);
  }
  pg_shipper_ = telemetry::PgShipper::open(
      cfg.ledger.path, telemetry::PgShipperOptions::from(cfg.ledger, node), err);
  if (!pg_shipper_) return false;
  budgets_restored = false;
  std::string why;
  if (pg_shipper_->catch_up(std::chrono::milliseconds(5000))) {
    const auto restored = telemetry::restore_budgets_from_fleet_ledger(
        cfg.ledger.postgres_conninfo, cfg, *runtime_->gatekeeper()->budget_store(),
        std::time(nullptr), why);
    if (restored) {
      budgets_restored = true;
      std::fprintf(stderr,
                   "ledger: %s, shipped to postgres %s as node %s (budgets restored from the "
                   "fleet for %zu keys and teams)\n",
                   cfg.ledger.path.c_str(), pg_shipper_->stats().where.c_str(), node.c_str(),
                   restored->restored);
    }
  } else {
    why = pg_shipper_->stats().last_error;
  }
  if (!budgets_restored) {
    std::fprintf(stderr,
                 "ringgate: warning: fleet ledger unreachable at start (%s): budgets restored "
                 "from this node's file only; rows ship when it is back\n",
                 why.c_str());
  }
  pg_shipper_->start();
  metrics_.set_pg_shipper(pg_shipper_.get());
  state_.pg_shipper = pg_shipper_.get();
  return true;
}

void Gateway::stop() {
  if (prober_) prober_->stop();
  if (shards_.empty()) {
    if (supervisor_) supervisor_->stop();
    return;
  }
  state_.draining.store(true);
  for (auto& s : shards_) s->request_stop();
  for (auto& s : shards_) s->join();
  // The drain is over: no request waits on a managed server any more.
  if (supervisor_) supervisor_->stop();
  if (count_worker_) count_worker_->stop();  // no shard submits any more
  if (fleet_) fleet_->stop();                // returns the leases no shard will spend
  if (records_) {
    records_->stop();  // drains what the shards left before they stopped
    std::fprintf(stderr,
                 "request records: %llu consumed, %llu dropped (ring full); %llu body copy frames "
                 "dropped; %llu auth failures\n",
                 static_cast<unsigned long long>(records_->consumed()),
                 static_cast<unsigned long long>(records_->dropped()),
                 static_cast<unsigned long long>(records_->tap_frames_dropped()),
                 static_cast<unsigned long long>(records_->auth_failures()));
    records_.reset();
  }
  if (access_log_file_) {
    std::fclose(access_log_file_);
    access_log_file_ = nullptr;
  }
  if (webhook_) webhook_->stop();  // after the records: their alerts are queued by then
  if (ledger_) {
    ledger_->close();  // commits every row the drain handed it (seed-defect: 000-M3)
    const telemetry::LedgerStats st = ledger_->stats();
    std::fprintf(stderr, "ledger: %llu rows written, %llu dropped\n",
                 static_cast<unsigned long long>(st.rows_written),
                 static_cast<unsigned long long>(st.rows_dropped));
    ledger_.reset();
  }
  if (pg_shipper_) {
    pg_shipper_->stop();  // after the ledger: ships the rows its close committed
    const telemetry::PgShipperStats st = pg_shipper_->stats();
    std::fprintf(stderr, "fleet ledger: %llu rows shipped, %llu left to ship at next start\n",
                 static_cast<unsigned long long>(st.rows_shipped),
                 static_cast<unsigned long long>(st.backlog));
  }
  shards_.clear();
}

namespace {

// Settings fixed when the process starts (listeners, threads, buffer pools): a reload that
// changes them still applies the rest, and says what waits for a restart.
std::string restart_only_changes(const config::Server& now, const config::Server& next) {
  std::string notes;
  auto note = [&notes](const char* what) {
    notes += std::string("reload: warning: [server] ") + what +
             " changed; it takes effect at the next restart\n";
  };
  if (now.listen_host != next.listen_host || now.listen_port != next.listen_port) note("listen");
  if (now.shards != next.shards) note("shards");
  if (now.max_pooled_buffer_bytes != next.max_pooled_buffer_bytes) {
    note("max_pooled_buffer_bytes");
  }
  // Which listeners speak TLS is fixed with the listeners; certificates and the rest reload.
  if (now.tls.enabled != next.tls.enabled || now.tls.own_listener != next.tls.own_listener ||
      now.tls.listen_host != next.tls.listen_host || now.tls.listen_port != next.tls.listen_port) {
    note("tls (on or off, or its listen address)");
  }
  return notes;
}

// Makes (and drops) a TLS context for each https upstream the shards do not have yet, so an
// unreadable CA bundle refuses the reload here instead of failing on every shard.
bool check_new_tls(const config::Runtime& next, const config::Runtime& now, std::string& err) {
  for (const config::RuntimeUpstream& ru : next.upstreams()) {
    if (!ru.def->parsed.tls || now.find_upstream(ru.id)) continue;
    std::string e;
    if (!io::TlsContext::create(ru.def->ca_file, ru.def->tls_verify, e)) {
      err = "upstream " + ru.def->name + ": " + e;
      return false;
    }
  }
  return true;
}

}  // namespace

bool Gateway::reload(config::Config next, std::string& err, std::string& notes) {
  std::shared_ptr<const config::Runtime> rt =
      with_admission(config::Runtime::build(std::move(next), err), runtime_.get());
  if (!rt || !check_new_tls(*rt, *runtime_, err)) return false;
  // The certificate files are read again even when the config names the same ones (renewed in
  // place); one that fails refuses the whole reload, so the old certificate stays in use.
  const config::ServerTls& tls = rt->config().server.tls;
  if (tls_listening_ && tls.enabled && !load_server_tls(tls, err)) return false;
  notes = restart_only_changes(runtime_->config().server, rt->config().server);
  resolve_upstreams(*rt, runtime_.get());
  runtime_ = rt;
  if (prober_) prober_->update(rt);
  if (supervisor_) supervisor_->update(rt);
  state_.publish(std::move(rt));
  for (auto& s : shards_) s->request_reload();
  return true;
}

namespace {

// Every line of a (possibly multi-line) loader error, each one prefixed, on stderr.
void log_refusal(const std::string& why) {
  size_t start = 0;
  do {
    size_t nl = why.find('\n', start);
    std::string line = why.substr(start, nl == std::string::npos ? nl : nl - start);
    if (!line.empty()) std::fprintf(stderr, "reload: refused: %s\n", line.c_str());
    start = nl == std::string::npos ? nl : nl + 1;
  } while (start != std::string::npos && start < why.size());
}

void reload_once(Gateway& gw, const ServeOptions& options) {
  if (!options.load_again) {
    log_refusal("quick mode has no config file to read again; restart with new flags to change it");
    return;
  }
  config::ConfigError cerr;
  std::optional<config::Config> next = options.load_again(cerr);
  std::string err, notes;
  if (!next) {
    log_refusal(cerr.message);
    return;
  }
  size_t models = next->models.size(), upstreams = next->upstreams.size();
  if (!gw.reload(std::move(*next), err, notes)) {
    log_refusal(err);
    return;
  }
  std::fputs(notes.c_str(), stderr);
  std::fprintf(stderr, "reload: ok (%zu models, %zu upstreams)\n", models, upstreams);
}

bool write_pid_file(const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  out << getpid() << '\n';
  out.close();
  return out.good();
}

// Only our own pid file: a second instance may have taken the path over since.
void remove_pid_file(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (in >> pid && pid == long(getpid())) unlink(path.c_str());
}

// seed-defect 001-4: open access is never silent: said at start and every minute while the
// config says `[auth] mode = "none"`.
void warn_if_open_access(const Gateway& gw) {
  const admission::Gatekeeper* gk = gw.runtime().gatekeeper();
  if (gk && gk->mode() != config::AuthMode::kNone) return;
  std::fprintf(stderr,
               "WARNING: open access ([auth] mode = \"none\"): every client that can reach the "
               "listener is served without a key; keep it on a trusted network\n");
}

}  // namespace

int serve_until_signalled(config::Config config, const ServeOptions& options) {
  // Block the stop and reload signals in every thread; this one waits for them. SIGHUP's
  // default action ends the process, so it is blocked before the pid file tells anyone.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::string summary = config::describe(config);
  std::string host = config.server.listen_host;
  Gateway gw(std::move(config));
  std::string err;
  if (!gw.start(err)) {
    std::fprintf(stderr, "ringgate: %s\n", err.c_str());
    return 1;
  }
  if (!options.pid_file.empty() && !write_pid_file(options.pid_file)) {
    std::fprintf(stderr, "ringgate: cannot write pid file %s\n", options.pid_file.c_str());
    return 1;
  }
  std::fprintf(stderr, "%s", summary.c_str());
  warn_if_open_access(gw);
  // Tests and scripts read the port from this first stdout line.
  bool v6 = host.find(':') != std::string::npos;
  std::printf("listening on %s%s%s:%u (%u shards)\n", v6 ? "[" : "", host.c_str(), v6 ? "]" : "",
              gw.port(), gw.shard_count());
  if (gw.tls_port() != 0) std::printf("tls listening on port %u\n", gw.tls_port());
  std::fflush(stdout);
  int sig = 0;
  for (;;) {
    const timespec minute{60, 0};
    sig = sigtimedwait(&set, nullptr, &minute);
    if (sig < 0) {  // a minute without a signal (or EINTR): say it again while it holds
      warn_if_open_access(gw);
      continue;
    }
    if (sig != SIGHUP) break;
    reload_once(gw, options);
  }
  std::fprintf(stderr, "ringgate: signal %d, draining\n", sig);
  gw.stop();
  if (!options.pid_file.empty()) remove_pid_file(options.pid_file);
  std::fprintf(stderr, "ringgate: stopped\n");
  return 0;
}

}  // namespace ringgate::gateway
