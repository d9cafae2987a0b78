#include "engine/cluster/fleet_limiter.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "protocol/prometheus_text.h"

namespace ringgate::cluster {
namespace {

using admission::FleetLease;
using admission::FleetState;

constexpr uint64_t kIdleTickMs = 50;  // the longest the thread sleeps without being woken
constexpr uint64_t kMinBackoffMs = 100, kMaxBackoffMs = 2000;
constexpr uint64_t kHeartbeatMs = 500;  // PING when no lease call went out for this long
constexpr uint64_t kDayS = 86'400;

uint64_t unix_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1'000'000;
}

FleetLease::Held& held_for(FleetLease& l, uint64_t window) {
  FleetLease::Held& h = l.held[window & 1];
  if (h.window != window) h = {window, 0};
  return h;
}

const char* policy_name(config::RedisDownPolicy p) {
  return p == config::RedisDownPolicy::kLocal ? "local" : "closed";
}

}  // namespace

FleetLimiter::FleetLimiter(config::ClusterConfig cfg)
    : cfg_(std::move(cfg)), wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

FleetLimiter::~FleetLimiter() {
  stop();
  if (wake_fd_ >= 0) close(wake_fd_);
}

std::shared_ptr<FleetLimiter> FleetLimiter::make(const config::ClusterConfig& cfg) {
  return cfg.enabled ? std::make_shared<FleetLimiter>(cfg) : nullptr;
}

std::shared_ptr<FleetLease> FleetLimiter::lease(std::string_view scope, uint64_t limit,
                                                uint64_t window_s) {
  return find_or_make(scope, limit, window_s, cfg_.exact ? 1 : cfg_.slice_for(limit),
                      admission::FleetWindow::kSeconds, cfg_.exact);
}

void FleetLimiter::add_waker(std::function<void()> wake) {
  std::lock_guard lock(wakers_mu_);
  wakers_.push_back(std::move(wake));
}

void FleetLimiter::wake_waiters() {
  std::lock_guard lock(wakers_mu_);
  for (const auto& w : wakers_) w();
}

std::shared_ptr<FleetLease> FleetLimiter::budget_lease(std::string_view scope, uint64_t limit,
                                                       admission::FleetWindow kind) {
  // Nominal lengths for months and all time: what their Redis hashes' TTLs are made of.
  const uint64_t window_s = kind == admission::FleetWindow::kSeconds    ? kDayS
                            : kind == admission::FleetWindow::kUtcMonth ? 31 * kDayS
                                                                        : 400 * kDayS;
  // Exact mode is for request limits; budgets stay leased (a reservation is not a decision).
  return find_or_make(scope, limit, window_s, cfg_.budget_slice_for(limit), kind, false);
}

std::shared_ptr<FleetLease> FleetLimiter::find_or_make(std::string_view scope, uint64_t limit,
                                                       uint64_t window_s, uint64_t slice,
                                                       admission::FleetWindow kind, bool exact) {
  std::lock_guard lock(mu_);
  for (const auto& e : entries_) {
    if (e->lease->scope() == scope && e->lease->limit() == limit) return e->lease;
  }
  // A changed limit gets a fresh lease; the old one's grants expire with their windows.
  auto l = std::make_shared<FleetLease>(std::string(scope), limit, window_s, slice, &state_,
                                        wake_fd_, kind, exact);
  entries_.push_back(std::make_unique<Entry>(Entry{l}));
  return l;
}

const std::vector<FleetLimiter::Entry*>& FleetLimiter::entries() {
  std::lock_guard lock(mu_);
  snapshot_.clear();  // reused: a tick allocates nothing once the registry stops growing
  for (auto& e : entries_) snapshot_.push_back(e.get());
  return snapshot_;
}

void FleetLimiter::start() {
  connect(unix_ms());
  thread_ = std::thread([this] { run(); });
}

void FleetLimiter::stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true, std::memory_order_release);
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof one);
  thread_.join();
  // What this node still holds goes back, so the fleet can spend it.
  std::vector<Call> calls;
  const uint64_t now = unix_ms();
  for (Entry* e : entries()) {
    const uint64_t w = e->lease->window_of(now);
    for (uint64_t win : {w, w + 1}) {
      if (const uint64_t left = e->lease->take_remaining(win))
        add_call(calls, *e->lease, win, -int64_t(left));
    }
  }
  if (conn_.connected() && !calls.empty()) send(calls);
  conn_.close();
}

void FleetLimiter::run() {
  pthread_setname_np(pthread_self(), "rg-fleet");  // bench/cluster_limits.sh reports it apart
  while (!stopping_.load(std::memory_order_acquire)) {
    tick(unix_ms());
    // A take below a low-water mark wakes this at once; the timeout paces the rest (prefetch
    // before a window ends, idle returns, the heartbeat, reconnects).
    pollfd p{wake_fd_, POLLIN, 0};
    if (::poll(&p, 1, int(kIdleTickMs)) > 0) {
      uint64_t count = 0;
      [[maybe_unused]] const ssize_t n = read(wake_fd_, &count, sizeof count);
    }
  }
}

void FleetLimiter::connect(uint64_t now_ms) {
  std::string err;
  if (conn_.connect(cfg_.redis_host, cfg_.redis_port, int(cfg_.timeout_ms), err)) {
    backoff_ms_ = 0;
    by_sha_ = true;
    const bool was_down = state() != FleetState::kUp;
    state_.store(FleetState::kUp, std::memory_order_release);
    // Reconcile: a Redis that restarted empty learns what this node was granted in the windows
    // still open, so the fleet's sums stay whole; a Redis that kept its data is unchanged.
    std::vector<Call> calls;
    for (Entry* e : entries()) {
      e->local_window = UINT64_MAX;
      const uint64_t w = e->lease->window_of(now_ms);
      for (uint64_t win : {w, w + 1}) {
        const FleetLease::Held& h = held_for(*e->lease, win);
        if (h.net > 0) add_call(calls, *e->lease, win, 0, int64_t(h.net));
      }
    }
    if (!calls.empty() && !send(calls)) return;
    if (was_down) {
      transitions_.fetch_add(1, std::memory_order_relaxed);
      std::fprintf(stderr,
                   "ringgate: cluster: Redis %s:%u is back; fleet-wide limits shared again "
                   "(%zu lease(s) reconciled)\n",
                   cfg_.redis_host.c_str(), unsigned(cfg_.redis_port), calls.size());
    }
    return;
  }
  backoff_ms_ = backoff_ms_ ? std::min(backoff_ms_ * 2, kMaxBackoffMs) : kMinBackoffMs;
  next_connect_ms_ = now_ms + backoff_ms_;
  go_down(err);
}

void FleetLimiter::go_down(const std::string& why) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  const FleetState down = cfg_.on_redis_down == config::RedisDownPolicy::kLocal
                              ? FleetState::kDownLocal
                              : FleetState::kDownClosed;
  if (state() == down) return;
  state_.store(down, std::memory_order_release);
  transitions_.fetch_add(1, std::memory_order_relaxed);
  wake_waiters();  // exact-mode waiters meet the policy now, not at their timeout
  if (down == FleetState::kDownLocal) {
    std::fprintf(stderr,
                 "ringgate: cluster: WARNING: Redis %s:%u unreachable (%s); fleet-wide limits "
                 "fall back to local limits of limit / %lld nodes until it is back\n",
                 cfg_.redis_host.c_str(), unsigned(cfg_.redis_port), why.c_str(),
                 static_cast<long long>(cfg_.nodes));
  } else {
    std::fprintf(stderr,
                 "ringgate: cluster: WARNING: Redis %s:%u unreachable (%s); requests under "
                 "fleet-wide limits are refused with 503 once their leases are spent "
                 "(on_redis_down = \"closed\")\n",
                 cfg_.redis_host.c_str(), unsigned(cfg_.redis_port), why.c_str());
  }
}

void FleetLimiter::install_local_shares(uint64_t now_ms) {
  for (Entry* e : entries()) {
    FleetLease& l = *e->lease;
    const uint64_t w = l.window_of(now_ms);
    if (e->local_window == w) continue;
    e->local_window = w;
    const uint64_t nodes = uint64_t(cfg_.nodes);
    const uint64_t share = (l.limit() + nodes - 1) / nodes;
    FleetLease::Held& h = held_for(l, w);
    const uint64_t give = share > h.net ? share - h.net : 0;
    l.install(w, give);
    h.net += give;
  }
}

void FleetLimiter::add_call(std::vector<Call>& calls, FleetLease& l, uint64_t window, int64_t delta,
                            int64_t restore) {
  // Calendar months and all time are named by their window number; the TTL keeps two windows.
  const bool fixed = l.kind() == admission::FleetWindow::kSeconds;
  calls.push_back({{l.scope(), window, fixed ? l.window_s() : 1, cfg_.node_id, delta, l.limit(),
                    restore, 2 * l.window_s()},
                   &l});
}

void FleetLimiter::plan(Entry& e, uint64_t now_ms, std::vector<Call>& calls) {
  FleetLease& l = *e.lease;
  const uint64_t w = l.window_of(now_ms);
  if (l.exact()) {
    // One ask per waiting request, batched per tick; no prefetch, no slack.
    if (const uint64_t asked = l.take_asked()) add_call(calls, l, w, int64_t(asked));
  } else if (l.wants_renewal()) {
    add_call(calls, l, w, int64_t(std::max(l.slice(), l.take_need())));
  }
  // Spend past a reservation that the lease could not cover joins this node's net in Redis.
  if (const uint64_t debt = l.take_debt()) {
    FleetLease::Held& h = held_for(l, w);
    h.net += debt;
    add_call(calls, l, w, 0, int64_t(h.net));
  }
  // Before the window ends, a lease in use asks for the next window's, so the first requests
  // after the boundary find one waiting.
  const uint64_t end = l.window_end_ms(w), window_ms = l.window_s() * 1000;
  const uint64_t ahead = std::min<uint64_t>(2000, window_ms / 10);
  const bool in_use = now_ms - l.last_take_ms() < std::max<uint64_t>(ahead, 1000);
  if (!l.exact() && now_ms + ahead >= end && in_use && e.prefetched != w + 1 &&
      l.remaining(w + 1) == 0) {
    e.prefetched = w + 1;
    add_call(calls, l, w + 1, int64_t(l.slice()));
  }
  if (l.remaining(w) > 0 && now_ms - l.last_take_ms() > uint64_t(cfg_.idle_return_ms)) {
    if (const uint64_t left = l.take_remaining(w)) add_call(calls, l, w, -int64_t(left));
  }
}

void FleetLimiter::tick(uint64_t now_ms) {
  if (!conn_.connected() && now_ms >= next_connect_ms_) connect(now_ms);
  if (state() == FleetState::kDownLocal) install_local_shares(now_ms);
  if (!conn_.connected()) return;
  calls_.clear();
  std::vector<Call>& calls = calls_;
  for (Entry* e : entries()) plan(*e, now_ms, calls);
  if (!calls.empty()) {
    answered_exact_ = false;
    const bool ok = send(calls);
    // Requests waiting on an exact decision re-admit: granted, spent, or under the policy.
    if (answered_exact_ || !ok) wake_waiters();
  } else if (now_ms - last_round_trip_ms_ >= kHeartbeatMs) {
    ping();  // an idle node still notices a dead Redis, and /readyz says so
  }
}

void FleetLimiter::ping() {
  std::string wire, err;
  protocol::append_resp_command(wire, {"PING"});
  commands_.fetch_add(1, std::memory_order_relaxed);
  last_round_trip_ms_ = unix_ms();
  if (!conn_.round_trip(wire, 1, replies_, int(cfg_.timeout_ms), err)) {
    next_connect_ms_ = unix_ms() + kMinBackoffMs;
    go_down(err);
  }
}

bool FleetLimiter::send(std::vector<Call>& calls) {
  for (int attempt = 0; attempt < 2 && !calls.empty(); ++attempt) {
    std::string wire;
    for (const Call& c : calls) append_lease_call(wire, c.call, by_sha_);
    std::string err;
    commands_.fetch_add(calls.size(), std::memory_order_relaxed);
    round_trips_.fetch_add(1, std::memory_order_relaxed);
    last_round_trip_ms_ = unix_ms();
    if (!conn_.round_trip(wire, calls.size(), replies_, int(cfg_.timeout_ms), err)) {
      // Unanswered returns stay counted in Redis (the fleet under-spends, never over);
      // unanswered grants are asked for again once Redis answers.
      next_connect_ms_ = unix_ms() + kMinBackoffMs;
      go_down(err);
      return false;
    }
    std::vector<Call> again;
    for (size_t i = 0; i < calls.size(); ++i) {
      const LeaseReply r = parse_lease_reply(replies_[i]);
      if (r.noscript) {
        again.push_back(calls[i]);
      } else if (!r.ok) {
        errors_.fetch_add(1, std::memory_order_relaxed);
        std::fprintf(stderr, "ringgate: cluster: lease script failed: %s\n", r.error.c_str());
      } else {
        apply(calls[i], r);
      }
    }
    // NOSCRIPT: Redis lost its script cache (a restart); one EVAL round loads it again.
    by_sha_ = again.empty();
    calls.swap(again);
  }
  by_sha_ = true;
  return true;
}

void FleetLimiter::apply(const Call& c, const LeaseReply& r) {
  FleetLease& l = *c.lease;
  if (l.exact() && c.call.delta > 0) answered_exact_ = true;
  FleetLease::Held& h = held_for(l, c.call.window);
  if (c.call.window == l.window_of(unix_ms()))
    l.set_fleet_used(uint64_t(std::max<int64_t>(r.fleet_used, 0)));
  if (c.call.restore >= 0) h.net = std::max<uint64_t>(h.net, uint64_t(c.call.restore));
  if (c.call.delta < 0) {
    h.net -= std::min<uint64_t>(h.net, uint64_t(-r.granted));
    return;
  }
  if (c.call.delta == 0) return;
  if (r.granted > 0) {
    h.net += uint64_t(r.granted);
    granted_.fetch_add(uint64_t(r.granted), std::memory_order_relaxed);
    l.install(c.call.window, uint64_t(r.granted));
  } else if (c.call.window == l.window_of(unix_ms())) {
    l.mark_exhausted(c.call.window, unix_ms());
    l.clear_renewal();
  }
}

void FleetLimiter::append_json(std::string& out) const {
  const FleetState s = state();
  out.append("\"cluster\":{\"redis\":\"");
  out.append(s == FleetState::kUp ? "up" : "down");
  out.append("\",\"limits\":\"");
  out.append(s == FleetState::kUp ? "fleet" : s == FleetState::kDownLocal ? "local" : "closed");
  out.append("\",\"on_redis_down\":\"");
  out.append(policy_name(cfg_.on_redis_down));
  out.append("\"}");
}

void FleetLimiter::append_metrics(std::string& out) const {
  protocol::PrometheusWriter w(out);
  const FleetState s = state();
  w.family("ringgate_cluster_redis_up", protocol::MetricType::kGauge,
           "1 while the shared Redis answers the fleet thread");
  w.sample("ringgate_cluster_redis_up", protocol::Labels{}, s == FleetState::kUp ? 1 : 0);
  w.family("ringgate_cluster_fallback", protocol::MetricType::kGauge,
           "How fleet-wide limits apply now: 1 for the one in force");
  for (const char* mode : {"fleet", "local", "closed"}) {
    const bool on = (s == FleetState::kUp && mode[0] == 'f') ||
                    (s == FleetState::kDownLocal && mode[0] == 'l') ||
                    (s == FleetState::kDownClosed && mode[0] == 'c');
    w.sample("ringgate_cluster_fallback", {{"mode", mode}}, on ? 1 : 0);
  }
  w.family("ringgate_cluster_redis_commands_total", protocol::MetricType::kCounter,
           "Lease script calls sent to Redis");
  w.sample("ringgate_cluster_redis_commands_total", protocol::Labels{}, commands_.load());
  w.family("ringgate_cluster_redis_round_trips_total", protocol::MetricType::kCounter,
           "Pipelined batches sent to Redis");
  w.sample("ringgate_cluster_redis_round_trips_total", protocol::Labels{}, round_trips_.load());
  w.family("ringgate_cluster_redis_errors_total", protocol::MetricType::kCounter,
           "Failed connects, timeouts and error replies");
  w.sample("ringgate_cluster_redis_errors_total", protocol::Labels{}, errors_.load());
  w.family("ringgate_cluster_transitions_total", protocol::MetricType::kCounter,
           "Changes between Redis up and the on_redis_down policy");
  w.sample("ringgate_cluster_transitions_total", protocol::Labels{}, transitions_.load());
  w.family("ringgate_cluster_leased_requests_total", protocol::MetricType::kCounter,
           "Requests Redis granted this node in leases");
  w.sample("ringgate_cluster_leased_requests_total", protocol::Labels{}, granted_.load());
}

}  // namespace ringgate::cluster
