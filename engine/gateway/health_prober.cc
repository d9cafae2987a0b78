#include "engine/gateway/health_prober.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "engine/gateway/clock.h"
#include "engine/io/tls_client_session.h"
#include "providers/provider_adapter.h"

namespace ringgate::gateway {

namespace {

constexpr size_t kMaxResponseHead = 16384;  // a models list's head; the body is never read

uint64_t unix_ms() {
  using namespace std::chrono;
  return uint64_t(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

bool probed(const config::RuntimeDeployment& d) { return d.def->health.enabled; }

// The session's error, said to be a TLS one ("certificate verify failed: ..." does not).
std::string tls_failure(const io::TlsSession& tls) {
  std::string e = tls.error_message();
  return e.rfind("tls", 0) == 0 ? e : "tls: " + e;
}

// One recv of ciphertext into the session (poll is level-triggered: the rest comes next round).
bool pull_ciphertext(int fd, io::TlsSession& tls, std::string& err) {
  char buf[16384];
  const ssize_t n = recv(fd, buf, sizeof buf, 0);
  if (n < 0 && errno == EAGAIN) return true;
  if (n < 0) {
    err = std::string("recv: ") + std::strerror(errno);
    return false;
  }
  if (n == 0) {
    tls.feed_eof();
  } else {
    tls.feed_ciphertext(std::string_view(buf, size_t(n)));
  }
  return true;
}

// Sends what the session has queued, as far as the socket takes it.
bool push_ciphertext(int fd, io::TlsSession& tls, std::string& err) {
  while (!tls.pending_ciphertext().empty()) {
    const std::string_view out = tls.pending_ciphertext();
    const ssize_t n = send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EAGAIN) return true;
    if (n < 0) {
      err = std::string("send: ") + std::strerror(errno);
      return false;
    }
    tls.consume_ciphertext(size_t(n));
  }
  return true;
}

}  // namespace

struct HealthProber::Probe {
  Probe(const config::HealthProbe& h)
      : settings(h),
        schedule(h.interval_ms, h.grace_ms, h.max_backoff_ms),
        parser(kMaxResponseHead) {}
  ~Probe() {
    if (fd >= 0) close(fd);
  }
  enum class Phase : uint8_t { kIdle, kConnecting, kHandshaking, kSending, kReading };

  short poll_events() const {
    if (phase == Phase::kConnecting) return POLLOUT;
    if (tls) return short(tls->pending_ciphertext().empty() ? POLLIN : POLLIN | POLLOUT);
    return phase == Phase::kReading ? POLLIN : POLLOUT;
  }

  const config::RuntimeDeployment* deployment = nullptr;  // of the prober's runtime_
  ProbeStatus* status = nullptr;
  config::HealthProbe settings;
  upstream::ProbeSchedule schedule;
  std::string request;
  std::string host;
  uint16_t port = 0;
  bool https = false;
  std::shared_ptr<io::TlsContext> tls_context;  // https: null when it could not be made
  std::string tls_context_error;
  std::unique_ptr<io::TlsClientSession> tls;  // https: the probe in flight's session
  Phase phase = Phase::kIdle;
  int fd = -1;
  uint64_t deadline_ms = 0;
  size_t sent = 0;
  std::string received;
  protocol::HttpResponseParser parser;
};

std::string health_request(const config::RuntimeDeployment& d) {
  const config::Upstream& up = *d.upstream->def;
  std::string h = "GET ";
  if (!d.def->health.path.empty()) {
    h.append(d.def->health.path);  // as written: absolute on the upstream's host
  } else {
    const providers::EndpointPlan plan =
        providers::plan_endpoint(up.target(), "/models", d.def->model);
    providers::append_request_target(up.target(), plan.upstream_endpoint, d.def->model, {}, h);
  }
  h.append(" HTTP/1.1\r\nHost: ");
  h.append(d.upstream->authority);
  h.append("\r\n");
  const std::string_view key = d.keys.empty() ? std::string_view() : d.keys.front();
  providers::append_provider_headers(
      up.format, key, [](std::string_view) { return false; }, h);
  h.append(
      "Accept: application/json\r\nUser-Agent: ringgate-health-probe\r\nConnection: close\r\n\r\n");
  return h;
}

HealthProber::HealthProber(io::DnsResolver& resolver) : resolver_(resolver) {}

HealthProber::~HealthProber() {
  stop();
  if (wake_fd_ >= 0) close(wake_fd_);
}

bool HealthProber::start(std::string& err) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    err = std::string("health prober: eventfd: ") + std::strerror(errno);
    return false;
  }
  thread_ = std::thread([this] { run(); });
  return true;
}

void HealthProber::update(std::shared_ptr<const config::Runtime> rt) {
  {
    std::lock_guard lock(mu_);
    pending_ = std::move(rt);
  }
  const uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!write(wake_fd_, &one, sizeof one);
}

void HealthProber::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  const uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<io::TlsContext> HealthProber::tls_context(const config::Upstream& up,
                                                          std::string& err) {
  const std::string key = up.ca_file + (up.tls_verify ? "\n1" : "\n0");
  std::shared_ptr<io::TlsContext>& ctx = tls_contexts_[key];
  if (!ctx) ctx = io::TlsContext::create(up.ca_file, up.tls_verify, err);
  return ctx;
}

void HealthProber::adopt(std::shared_ptr<const config::Runtime> rt, uint64_t now) {
  const DeploymentHealth* health = rt->deployment_health();
  tls_contexts_.clear();  // a reload re-reads CA files, as the shards' contexts do
  std::unordered_map<config::DeploymentId, std::unique_ptr<Probe>> next;
  for (const config::RuntimeDeployment& d : rt->deployments()) {
    ProbeStatus* status = health ? health->status(d.id) : nullptr;
    if (!status || !probed(d)) continue;
    std::unique_ptr<Probe> p;
    if (auto it = probes_.find(d.id);
        it != probes_.end() && it->second->settings == d.def->health) {
      p = std::move(it->second);  // unchanged: keeps its schedule and any probe in flight
    } else {
      p = std::make_unique<Probe>(d.def->health);
      p->schedule.start(now);
    }
    p->deployment = &d;
    p->status = status;
    p->request = health_request(d);
    p->host = d.upstream->def->parsed.host;
    p->port = d.upstream->def->parsed.port;
    p->https = d.upstream->def->parsed.tls;
    p->tls_context_error.clear();
    p->tls_context = p->https ? tls_context(*d.upstream->def, p->tls_context_error) : nullptr;
    next.emplace(d.id, std::move(p));
  }
  probes_ = std::move(next);  // the rest close their sockets here
  runtime_ = std::move(rt);
}

void HealthProber::begin(Probe& p, uint64_t now) {
  p.deadline_ms = now + p.settings.timeout_ms;
  p.sent = 0;
  p.received.clear();
  p.parser.reset();
  if (p.https && !p.tls_context) return finish(p, false, p.tls_context_error, now);
  const std::shared_ptr<const io::ResolvedAddrs> addrs = resolver_.lookup(p.host, p.port);
  if (!addrs || !addrs->ok()) {
    if (!addrs) resolver_.prefetch(p.host, p.port);
    finish(p, false, addrs ? "resolve: " + addrs->error : "address not resolved yet", now);
    return;
  }
  const sockaddr_storage& addr = addrs->addrs.front();
  p.fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (p.fd < 0) {
    finish(p, false, std::string("socket: ") + std::strerror(errno), now);
    return;
  }
  if (connect(p.fd, reinterpret_cast<const sockaddr*>(&addr), io::sockaddr_length(addr)) != 0 &&
      errno != EINPROGRESS) {
    finish(p, false, std::string("connect: ") + std::strerror(errno), now);
    return;
  }
  p.phase = Probe::Phase::kConnecting;
}

void HealthProber::advance(Probe& p, short revents, uint64_t now) {
  if (p.phase == Probe::Phase::kConnecting) {
    int soerr = 0;
    socklen_t len = sizeof soerr;
    getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
    if (soerr != 0) return finish(p, false, std::string("connect: ") + std::strerror(soerr), now);
    if (!(revents & POLLOUT)) return;
    if (p.https) {
      p.tls = std::make_unique<io::TlsClientSession>(*p.tls_context, p.host);
      p.phase = Probe::Phase::kHandshaking;
    } else {
      p.phase = Probe::Phase::kSending;
    }
  }
  if (p.tls) return advance_tls(p, now);
  if (p.phase == Probe::Phase::kSending) {
    while (p.sent < p.request.size()) {
      const ssize_t n =
          send(p.fd, p.request.data() + p.sent, p.request.size() - p.sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EAGAIN) return;
      if (n < 0) return finish(p, false, std::string("send: ") + std::strerror(errno), now);
      p.sent += size_t(n);
    }
    p.phase = Probe::Phase::kReading;
    return;
  }
  char buf[4096];
  const ssize_t n = recv(p.fd, buf, sizeof buf, 0);
  if (n < 0 && errno == EAGAIN) return;
  if (n < 0) return finish(p, false, std::string("recv: ") + std::strerror(errno), now);
  if (n == 0) return finish(p, false, "closed before a response head", now);
  take_response(p, std::string_view(buf, size_t(n)), now);
}

// Handshake, request and response through the session; every round ends by sending what the
// session queued (poll_events then asks for POLLOUT while some is left).
void HealthProber::advance_tls(Probe& p, uint64_t now) {
  using Status = io::TlsSession::Status;
  io::TlsClientSession& tls = *p.tls;
  std::string err;
  if (!pull_ciphertext(p.fd, tls, err)) return finish(p, false, err, now);
  if (p.phase == Probe::Phase::kHandshaking) {
    const Status st = tls.handshake();
    if (st == Status::kOk) p.phase = Probe::Phase::kSending;
    if (st == Status::kError || st == Status::kClosed)
      return finish(p, false, tls_failure(tls), now);
  }
  if (p.phase == Probe::Phase::kSending) {
    size_t accepted = 0;
    const Status st = tls.write_plain(std::string_view(p.request).substr(p.sent), accepted);
    if (st == Status::kError || st == Status::kClosed)
      return finish(p, false, tls_failure(tls), now);
    p.sent += accepted;
    if (p.sent == p.request.size()) p.phase = Probe::Phase::kReading;
  }
  while (p.phase == Probe::Phase::kReading) {
    char buf[4096];
    size_t n = 0;
    const Status st = tls.read_plain(buf, sizeof buf, n);
    if (st == Status::kWantIo) break;
    if (st == Status::kClosed) return finish(p, false, "closed before a response head", now);
    if (st == Status::kError) return finish(p, false, tls_failure(tls), now);
    take_response(p, std::string_view(buf, n), now);  // may finish the probe
  }
  if (p.phase != Probe::Phase::kIdle && !push_ciphertext(p.fd, tls, err)) {
    finish(p, false, err, now);
  }
}

// Response bytes in; finishes the probe once the head is complete or bad.
void HealthProber::take_response(Probe& p, std::string_view bytes, uint64_t now) {
  p.received.append(bytes);
  std::vector<std::string_view> body;
  if (p.parser.feed(p.received, body) == protocol::ParseStatus::kError &&
      !p.parser.head_complete()) {
    return finish(p, false, std::string("bad response: ") + p.parser.error(), now);
  }
  if (!p.parser.head_complete()) return;
  const int status = p.parser.head().status;
  if (status >= 200 && status < 300) return finish(p, true, {}, now);
  finish(p, false, "status " + std::to_string(status), now);
}

void HealthProber::finish(Probe& p, bool ok, std::string_view error, uint64_t now) {
  if (p.fd >= 0) close(p.fd);
  p.fd = -1;
  p.tls.reset();
  p.phase = Probe::Phase::kIdle;
  p.schedule.on_result(ok, now);
  p.status->record(ok, p.schedule.healthy(), p.schedule.consecutive_failures(), unix_ms(), error);
}

int HealthProber::poll_timeout_ms(uint64_t now) const {
  uint64_t soonest = now + 1000;  // bounded, so a missed wake costs at most a second
  for (const auto& [id, p] : probes_) {
    soonest = std::min(
        soonest, p->phase == Probe::Phase::kIdle ? p->schedule.next_due_ms() : p->deadline_ms);
  }
  return soonest > now ? int(soonest - now) : 0;
}

void HealthProber::run() {
  std::vector<pollfd> fds;
  std::vector<Probe*> polled;
  for (;;) {
    std::shared_ptr<const config::Runtime> next;
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
      next = std::move(pending_);
    }
    uint64_t now = now_ms();
    if (next) adopt(std::move(next), now);
    fds.assign(1, pollfd{wake_fd_, POLLIN, 0});
    polled.assign(1, nullptr);
    for (auto& [id, p] : probes_) {
      if (p->phase == Probe::Phase::kIdle && now >= p->schedule.next_due_ms()) begin(*p, now);
      if (p->phase != Probe::Phase::kIdle && now >= p->deadline_ms) {
        finish(*p, false, "timeout after " + std::to_string(p->settings.timeout_ms) + " ms", now);
      }
      if (p->phase == Probe::Phase::kIdle) continue;
      fds.push_back({p->fd, p->poll_events(), 0});
      polled.push_back(p.get());
    }
    poll(fds.data(), fds.size(), poll_timeout_ms(now));
    uint64_t drained;
    if (fds[0].revents & POLLIN) (void)!read(wake_fd_, &drained, sizeof drained);
    now = now_ms();
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents != 0) advance(*polled[i], fds[i].revents, now);
    }
  }
  probes_.clear();
  runtime_.reset();
}

}  // namespace ringgate::gateway
