#include "engine/gateway/shard.h"

#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <random>

#include "engine/cluster/fleet_limiter.h"
#include "engine/gateway/admin_views.h"
#include "engine/gateway/cache_metrics.h"
#include "engine/gateway/client_session.h"
#include "engine/gateway/deployment_health.h"
#include "engine/io/socket_util.h"
#include "engine/managed/managed_process.h"

namespace ringgate::gateway {

namespace {
constexpr uint16_t kRecvGroup = 1;
// Request ids stay unique across restarts.
uint64_t random_salt() {
  std::random_device rd;
  return (uint64_t(rd()) << 32) ^ rd();
}
constexpr unsigned kRecvBuffers = 1024;  // power of two
constexpr unsigned kRecvBufferSize = 16384;
constexpr size_t kUpstreamReadSize = 16384;  // a read buffer; a response head may grow it to 64 KiB
// Long enough that a shard out of descriptors stays near idle, short enough that a freed
// descriptor is used before a client notices.
constexpr long long kAcceptBackoffMs = 50;
}  // namespace

// Multishot accept: one SQE yields a CQE per connection until the kernel drops it (re-armed).
// When accept fails (out of descriptors: EMFILE/ENFILE, or out of memory) the kernel ends the
// multishot; re-arming at once would fail again at once and spin a core, so the op waits
// kAcceptBackoffMs on a ring timeout first. Clients meanwhile wait in the listen backlog.
class Shard::AcceptOp final : public io::IoOp {
 public:
  AcceptOp(Shard& s, Listener l) : shard_(s), listener_(l) {}
  void arm() {
    io_uring_sqe* sqe = shard_.ring_.sqe();
    io_uring_prep_multishot_accept(sqe, listener_.fd, nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_sqe_set_data(sqe, static_cast<io::IoOp*>(this));
    armed = true;
  }
  // Cancels the accept or the backoff timeout, whichever is in flight.
  void cancel() {
    io_uring_sqe* sqe = shard_.ring_.sqe();
    io_uring_prep_cancel64(sqe, reinterpret_cast<uint64_t>(static_cast<io::IoOp*>(this)), 0);
    io_uring_sqe_set_data(sqe, nullptr);
  }
  void on_cqe(int res, uint32_t flags) override {
    if (backing_off_) {  // the backoff timeout ended (or was cancelled by a drain)
      backing_off_ = false;
      armed = false;
      if (!shard_.draining_) arm();
      return;
    }
    if (res >= 0) shard_.on_accept(res, listener_.tls);
    if (res == -EMFILE || res == -ENFILE) shard_.counters_.accept_refusals.add();
    if (!(flags & IORING_CQE_F_MORE)) {
      armed = false;
      if (shard_.draining_) return;
      if (res < 0 && res != -ECANCELED) {
        back_off();
      } else {
        arm();
      }
    }
  }
  bool armed = false;

 private:
  void back_off() {
    backoff_.tv_sec = 0;
    backoff_.tv_nsec = kAcceptBackoffMs * 1000000LL;
    io_uring_sqe* sqe = shard_.ring_.sqe();
    io_uring_prep_timeout(sqe, &backoff_, 0, 0);
    io_uring_sqe_set_data(sqe, static_cast<io::IoOp*>(this));
    backing_off_ = true;
    armed = true;
  }

  Shard& shard_;
  Listener listener_;
  bool backing_off_ = false;
  __kernel_timespec backoff_{};
};

// Reads the shard's eventfd: the only cross-thread signal a shard receives (kWakeStop,
// kWakeReload). Re-armed until the shard drains.
class Shard::WakeOp final : public io::IoOp {
 public:
  explicit WakeOp(Shard& s) : shard_(s) {}
  void arm() {
    io_uring_sqe* sqe = shard_.ring_.sqe();
    io_uring_prep_read(sqe, shard_.wake_fd_, &value_, sizeof value_, 0);
    io_uring_sqe_set_data(sqe, static_cast<io::IoOp*>(this));
    armed = true;
  }
  void on_cqe(int res, uint32_t) override {
    armed = false;
    // A failed read carries no reasons; stopping is the safe reading (as before reloads).
    shard_.on_wake(res == int(sizeof value_) ? value_ : kWakeStop);
    if (!shard_.draining_) arm();
  }
  bool armed = false;

 private:
  Shard& shard_;
  uint64_t value_ = 0;
};

// Bounds the drain: past the deadline, connections still busy are cut.
class Shard::DrainTimer final : public io::IoOp {
 public:
  explicit DrainTimer(Shard& s) : shard_(s) {}
  void arm(uint32_t ms) {
    ts_.tv_sec = ms / 1000;
    ts_.tv_nsec = static_cast<long long>(ms % 1000) * 1000000;
    io_uring_sqe* sqe = shard_.ring_.sqe();
    io_uring_prep_timeout(sqe, &ts_, 0, 0);
    io_uring_sqe_set_data(sqe, static_cast<io::IoOp*>(this));
    armed = true;
  }
  void disarm() {
    if (!armed || removing_) return;
    removing_ = true;
    io_uring_sqe* sqe = shard_.ring_.sqe();
    io_uring_prep_timeout_remove(sqe, reinterpret_cast<uint64_t>(static_cast<io::IoOp*>(this)), 0);
    io_uring_sqe_set_data(sqe, nullptr);
  }
  void on_cqe(int res, uint32_t) override {
    armed = false;
    if (res == -ETIME) shard_.force_close_all();
  }
  bool armed = false;

 private:
  Shard& shard_;
  __kernel_timespec ts_{};
  bool removing_ = false;
};

Shard::Shard(unsigned id, std::vector<Listener> listeners, GatewayState& state)
    : id_(id),
      listeners_(std::move(listeners)),
      state_(state),
      runtime_(state.runtime()),
      buffer_pool_(kRecvBufferSize, config().server.max_pooled_buffer_bytes / 2),
      read_buffer_pool_(kUpstreamReadSize, config().server.max_pooled_buffer_bytes / 2),
      request_ids_(random_salt(), id) {
  services_.json = &json_;
  services_.request_ids = &request_ids_;
  services_.exact_cache = state.exact_cache;
  services_.flights = state.flights;
  services_.semantic = state.semantic;
  services_.embedder = state.embedder;
  services_.ready = [this] { return state_.ready(); };
  services_.scrape_metrics = [this](bool open_access, std::string& out) {
    if (state_.metrics) state_.metrics->render(open_access, out);
    append_cache_metrics(state_, out);
    if (const DeploymentHealth* h = runtime_->deployment_health())
      h->append_metrics(*runtime_, out);
    if (state_.fleet) state_.fleet->append_metrics(out);
    if (const managed::ManagedFleet* m = runtime_->managed_fleet(); m && !m->empty()) {
      m->append_metrics(*runtime_, out);
    }
  };
  services_.admin_view = [this](pipeline::AdminView v, const protocol::AdminQuery& q,
                                std::string& out) {
    append_admin_view(state_, *runtime_, v, q, out);
  };
  services_.admin_ledger = state.admin_ledger != nullptr;
  if (const telemetry::PgShipper* pg = state.pg_shipper)
    services_.fleet_ledger = [pg](std::string& out) { pg->append_json(out); };
  if (state.fleet) {
    services_.cluster_state = [this](std::string& out) { state_.fleet->append_json(out); };
  }
  services_.deployment_health = [this](std::string& out) {
    if (const DeploymentHealth* h = runtime_->deployment_health()) {
      h->append_json(*runtime_, out);
    } else {
      out.append("\"deployments\":[]");
    }
    append_semantic_health_json(state_, out);
    if (const managed::ManagedFleet* m = runtime_->managed_fleet(); m && !m->empty()) {
      out.push_back(',');
      m->append_json(*runtime_, out);
    }
  };
}

telemetry::ShardSource Shard::metrics_source() const {
  return {&metrics_, &records_, [this] { return counters_.connections_open.get(); }};
}

Shard::~Shard() {
  if (thread_.joinable()) thread_.join();
  if (wake_fd_ >= 0) close(wake_fd_);
}

bool Shard::start(std::string& err) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    err = std::string("eventfd: ") + std::strerror(errno);
    return false;
  }
  std::promise<std::string> started;
  std::future<std::string> result = started.get_future();
  thread_ = std::thread([this, &started] {
    std::string e;
    bool ok = setup(e);
    started.set_value(ok ? std::string() : e);
    if (ok) run();
  });
  err = result.get();
  if (!err.empty()) {
    thread_.join();
    return false;
  }
  return true;
}

bool Shard::setup(std::string& err) {
  char name[16];
  std::snprintf(name, sizeof name, "ringgate-s%u", id_);
  pthread_setname_np(pthread_self(), name);
  // Pin to the id-th CPU of the set we were started with (taskset, cgroups), never outside it.
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) > 0) {
    int want = int(id_ % unsigned(CPU_COUNT(&allowed)));
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (!CPU_ISSET(cpu, &allowed) || want-- > 0) continue;
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      pthread_setaffinity_np(pthread_self(), sizeof one, &one);  // best effort
      break;
    }
  }
  if (!ring_.init(4096, err)) return false;
  if (!recv_buffers_.init(ring_.raw(), kRecvGroup, kRecvBuffers, kRecvBufferSize, err))
    return false;
  if (!adopt(runtime_, err)) return false;
  server_tls_ = state_.server_tls();
  for (const Listener& l : listeners_) accepts_.push_back(std::make_unique<AcceptOp>(*this, l));
  wake_ = std::make_unique<WakeOp>(*this);
  drain_timer_ = std::make_unique<DrainTimer>(*this);
  for (auto& a : accepts_) a->arm();
  wake_->arm();
  return true;
}

void Shard::run() {
  state_.shards_ready.fetch_add(1, std::memory_order_relaxed);
  for (;;) {
    if (draining_ && session_count_ == 0) {
      drain_timer_->disarm();
      bool accepting =
          std::any_of(accepts_.begin(), accepts_.end(), [](const auto& a) { return a->armed; });
      if (!accepting && !drain_timer_->armed && !wake_->armed) break;
    }
    ring_.run_once();
  }
  for (auto& [id, st] : upstreams_) st->pool->close_idle();
  for (auto& st : retired_) st->pool->close_idle();
}

void Shard::request_stop() {
  [[maybe_unused]] ssize_t n = write(wake_fd_, &kWakeStop, sizeof kWakeStop);
}

void Shard::request_reload() {
  [[maybe_unused]] ssize_t n = write(wake_fd_, &kWakeReload, sizeof kWakeReload);
}

void Shard::on_wake(uint64_t reasons) {
  if (reasons & (kWakeStop - 1)) {      // reloads
    server_tls_ = state_.server_tls();  // new connections only; live ones keep their own
    std::string err;
    if (!adopt(state_.runtime(), err)) {
      std::fprintf(stderr, "ringgate: shard %u: reload: %s\n", id_, err.c_str());
    }
  }
  if (reasons >= kWakeFlight) wake_flight_waits();
  if (reasons & kWakeStop) begin_drain();
}

std::shared_ptr<const config::Runtime> Shard::runtime() {
  if (!retired_.empty()) prune_retired();
  return runtime_;
}

namespace {

PoolLimits pool_limits(const config::Upstream& up, const config::Timeouts& t) {
  return PoolLimits{up.max_connections, up.max_idle, t.keepalive_idle_ms, up.queue_depth,
                    up.queue_timeout_ms};
}

}  // namespace

bool Shard::make_upstream_state(const config::RuntimeUpstream& up, UpstreamState& st,
                                std::string& err) {
  st.id = up.id;
  st.connection_key = up.connection_key;
  st.authority = up.authority;
  st.limits = pool_limits(*up.def, runtime_->config().timeouts);
  PoolLimits limits = st.limits;
  bool ok = true;
  if (up.def->parsed.tls) {
    st.tls = io::TlsContext::create(up.def->ca_file, up.def->tls_verify, err);
    if (!st.tls) {
      // Never fall back to plain TCP for an https upstream: no connections at all instead.
      err = "upstream " + up.def->name + ": " + err;
      limits.max_connections = 0;
      limits.queue_depth = 0;
      ok = false;
    }
  }
  st.pool = std::make_unique<UpstreamPool>(limits);
  return ok;
}

bool Shard::adopt(std::shared_ptr<const config::Runtime> next, std::string& err) {
  if (runtime_ != next) older_runtimes_.push_back(runtime_);
  runtime_ = std::move(next);
  const config::Config& cfg = runtime_->config();
  metrics_.adopt(telemetry::MetricsLayout::build(cfg));  // a new block only if names changed
  std::unordered_map<config::UpstreamId, std::unique_ptr<UpstreamState>> kept;
  bool ok = true;
  for (const config::RuntimeUpstream& up : runtime_->upstreams()) {
    auto it = upstreams_.find(up.id);
    // A pool survives only for the same connections under the same limits; a limit change
    // replaces it (the old one drains like a removed upstream's).
    if (it != upstreams_.end() && it->second->connection_key == up.connection_key &&
        it->second->limits == pool_limits(*up.def, cfg.timeouts)) {
      kept.emplace(up.id, std::move(it->second));
      upstreams_.erase(it);
      continue;
    }
    auto st = std::make_unique<UpstreamState>();
    std::string e;
    if (!make_upstream_state(up, *st, e)) {
      err += (err.empty() ? "" : "; ") + e;
      ok = false;
    }
    kept.emplace(up.id, std::move(st));
  }
  for (auto& [id, st] : upstreams_) {
    st->pool->retire();
    retired_.push_back(std::move(st));
  }
  upstreams_ = std::move(kept);
  prune_retired();
  return ok;
}

void Shard::prune_retired() {
  std::erase_if(older_runtimes_, [](const auto& w) { return w.expired(); });
  if (older_runtimes_.empty()) retired_.clear();
}

Shard::UpstreamState& Shard::upstream(config::UpstreamId id) {
  auto it = upstreams_.find(id);
  if (it != upstreams_.end()) return *it->second;
  // Rare: a request on an older snapshot whose upstream a reload replaced or removed. Retired
  // state is kept while any older snapshot lives, so the search cannot come up empty.
  for (auto r = retired_.rbegin(); r != retired_.rend(); ++r) {
    if ((*r)->id == id) return **r;
  }
  std::fprintf(stderr, "ringgate: shard %u: no state for upstream id %llx\n", id_,
               static_cast<unsigned long long>(id));
  std::abort();
}

void Shard::join() {
  if (thread_.joinable()) thread_.join();
}

void Shard::on_accept(int fd, bool tls) {
  counters_.connections_accepted.add();
  // A TLS connection counts from accept, handshake included: stalled handshakes cannot hold more
  // than max_connections, and each is closed at handshake_ms.
  if (draining_ || session_count_ >= config().server.max_connections || (tls && !server_tls_)) {
    close(fd);  // over the limit: refuse fast rather than queue without bound
    return;
  }
  io::set_tcp_nodelay(fd);
  serve(fd, tls ? server_tls_ : nullptr);
}

io::Detached Shard::serve(int fd, std::shared_ptr<io::TlsServerContext> tls) {
  ClientSession session(*this, fd, tls.get());
  counters_.connections_open.add();
  co_await session.run();
  counters_.connections_open.sub();
  // `session` is destroyed after this point; its destructor unlinks it and closes the fd.
}

void Shard::add_session(ClientSession* s) {
  s->next_ = sessions_;
  s->prev_ = nullptr;
  if (sessions_) sessions_->prev_ = s;
  sessions_ = s;
  ++session_count_;
}

void Shard::remove_session(ClientSession* s) {
  if (s->prev_)
    s->prev_->next_ = s->next_;
  else
    sessions_ = s->next_;
  if (s->next_) s->next_->prev_ = s->prev_;
  --session_count_;
}

void Shard::begin_drain() {
  if (draining_) return;
  draining_ = true;
  for (auto& a : accepts_) {
    if (a->armed) a->cancel();
  }
  // Idle keep-alive connections are closed now; busy ones finish their request first.
  for (ClientSession* s = sessions_; s; s = s->next_) {
    if (s->idle()) ring_.cancel_fd(s->fd());
  }
  drain_timer_->arm(state_.drain_timeout_ms);
}

void Shard::force_close_all() {
  for (ClientSession* s = sessions_; s; s = s->next_) s->abort();
  wake_flight_waits();  // aborted followers stop waiting too
}

}  // namespace ringgate::gateway
