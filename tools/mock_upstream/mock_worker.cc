#include "tools/mock_upstream/mock_worker.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

namespace ringgate::mock_upstream {
namespace {

constexpr uint64_t kListenerId = 0;
constexpr uint64_t kWakeId = 1;
constexpr size_t kReadBudget = 256 * 1024;
// While a response is in flight the client should be quiet; stop buffering past this.
constexpr size_t kMaxBufferedWhileActive = 1024 * 1024;
constexpr int kTlsWriteSlice = 16 * 1024;

int64_t NowUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace

struct MockWorker::Connection {
  uint64_t id = 0;
  int fd = -1;
  SSL* ssl = nullptr;
  bool handshake_done = false;
  std::string in;
  HttpRequestReader reader;
  bool sent_continue = false;
  bool read_closed = false;  // the client half-closed after sending; answer what it sent
  bool active = false;       // a response is being sent
  ResponsePlan plan;
  size_t next_piece = 0;
  int64_t next_due_us = 0;
  int64_t timer_due_us = 0;
  std::string out;
  size_t out_offset = 0;
};

MockWorker::MockWorker(const MockOptions& options, MockStats& stats, SSL_CTX* tls, int listen_fd)
    : options_(options), stats_(stats), tls_(tls), listen_fd_(listen_fd), router_(options, stats) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

MockWorker::~MockWorker() {
  while (!connections_.empty()) Close(*connections_.begin()->second, true);
  if (listen_fd_ >= 0) close(listen_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void MockWorker::Stop() {
  uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof(one)) < 0) {
    // The counter can only be full if Stop was already called many times; the loop will wake.
  }
}

bool MockWorker::Run() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) return false;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenerId;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) return false;
  ev.data.u64 = kWakeId;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) return false;

  epoll_event events[256];
  for (;;) {
    int n = epoll_wait(epoll_fd_, events, 256, EpollTimeoutMs());
    if (n < 0 && errno != EINTR) return false;
    for (int i = 0; i < n; ++i) {
      uint64_t id = events[i].data.u64;
      if (id == kWakeId) return true;
      if (id == kListenerId) {
        AcceptAll();
        continue;
      }
      auto it = connections_.find(id);
      if (it != connections_.end()) Drive(*it->second);
    }
    RunDueTimers();
  }
}

int MockWorker::EpollTimeoutMs() const {
  if (timers_.empty()) return -1;
  int64_t wait_us = timers_.top().first - NowUs();
  if (wait_us <= 0) return 0;
  return static_cast<int>((wait_us + 999) / 1000);
}

void MockWorker::RunDueTimers() {
  int64_t now = NowUs();
  while (!timers_.empty() && timers_.top().first <= now) {
    auto [due, id] = timers_.top();
    timers_.pop();
    auto it = connections_.find(id);
    if (it == connections_.end() || it->second->timer_due_us != due) continue;
    it->second->timer_due_us = 0;
    Drive(*it->second);
  }
}

void MockWorker::AcceptAll() {
  for (;;) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // EAGAIN, or out of descriptors: try again on the next readiness
    }
    stats_.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    if (options_.refuse) {
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto c = std::make_unique<Connection>();
    c->id = next_id_++;
    c->fd = fd;
    if (tls_ != nullptr) {
      c->ssl = SSL_new(tls_);
      if (c->ssl == nullptr || SSL_set_fd(c->ssl, fd) != 1) {
        if (c->ssl) SSL_free(c->ssl);
        close(fd);
        continue;
      }
      SSL_set_accept_state(c->ssl);
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = c->id;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      if (c->ssl) SSL_free(c->ssl);
      close(fd);
      continue;
    }
    stats_.connections_active.fetch_add(1, std::memory_order_relaxed);
    connections_.emplace(c->id, std::move(c));
  }
}

void MockWorker::Drive(Connection& c) {
  for (;;) {
    if (c.ssl != nullptr && !c.handshake_done) {
      ERR_clear_error();
      int r = SSL_accept(c.ssl);
      if (r != 1) {
        int error = SSL_get_error(c.ssl, r);
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) Close(c, false);
        return;
      }
      c.handshake_done = true;
    }
    ReadResult read = c.read_closed ? ReadResult::kDrained : ReadSome(c);
    if (read == ReadResult::kClosed) {
      if (c.active || c.in.empty()) {
        PeerGone(c);
        return;
      }
      c.read_closed = true;
      read = ReadResult::kDrained;
    }
    if (!c.active) {
      switch (c.reader.Feed(c.in)) {
        case HttpRequestReader::Status::kComplete:
          Begin(c, router_.Route(c.reader.request()));
          if (c.read_closed) c.plan.close_after = true;
          c.reader.Reset();
          c.sent_continue = false;
          break;
        case HttpRequestReader::Status::kError:
          c.in.clear();
          Begin(c, router_.ProtocolError(c.reader.error_status(), c.reader.error_message()));
          break;
        case HttpRequestReader::Status::kIncomplete:
          if (c.read_closed) {
            Close(c, false);
            return;
          }
          if (c.reader.head_complete() && c.reader.request().expects_continue && !c.sent_continue) {
            c.out += "HTTP/1.1 100 Continue\r\n\r\n";
            c.sent_continue = true;
          }
          break;
      }
    }
    switch (Pump(c)) {
      case PumpResult::kClosed:
        return;
      case PumpResult::kPeerGone:
        PeerGone(c);
        return;
      case PumpResult::kFinished:
        continue;  // the next request may already be buffered
      case PumpResult::kIdle:
      case PumpResult::kWaiting:
        if (read == ReadResult::kMore) continue;
        return;
    }
  }
}

MockWorker::ReadResult MockWorker::ReadSome(Connection& c) {
  if (c.active && c.in.size() > kMaxBufferedWhileActive) return ReadResult::kPaused;
  char buffer[16 * 1024];
  size_t total = 0;
  while (total < kReadBudget) {
    ssize_t n;
    if (c.ssl != nullptr) {
      ERR_clear_error();
      int r = SSL_read(c.ssl, buffer, sizeof(buffer));
      if (r <= 0) {
        int error = SSL_get_error(c.ssl, r);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
          return ReadResult::kDrained;
        }
        return ReadResult::kClosed;
      }
      n = r;
    } else {
      n = recv(c.fd, buffer, sizeof(buffer), 0);
      if (n == 0) return ReadResult::kClosed;
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return ReadResult::kDrained;
        if (errno == EINTR) continue;
        return ReadResult::kClosed;
      }
    }
    c.in.append(buffer, static_cast<size_t>(n));
    total += static_cast<size_t>(n);
    // A short plain read means the socket is empty; edge-triggered epoll reports any later
    // arrival (or FIN) as a new event, so the extra recv that would return EAGAIN is skipped.
    if (c.ssl == nullptr && static_cast<size_t>(n) < sizeof(buffer)) return ReadResult::kDrained;
  }
  return ReadResult::kMore;
}

bool MockWorker::Flush(Connection& c) {
  while (c.out_offset < c.out.size()) {
    const char* data = c.out.data() + c.out_offset;
    size_t left = c.out.size() - c.out_offset;
    if (c.ssl != nullptr) {
      ERR_clear_error();
      int r = SSL_write(c.ssl, data, static_cast<int>(std::min<size_t>(left, kTlsWriteSlice)));
      if (r <= 0) {
        int error = SSL_get_error(c.ssl, r);
        if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) return true;
        return false;
      }
      c.out_offset += static_cast<size_t>(r);
    } else {
      ssize_t n = send(c.fd, data, left, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
        if (errno == EINTR) continue;
        return false;
      }
      c.out_offset += static_cast<size_t>(n);
    }
  }
  c.out.clear();
  c.out_offset = 0;
  return true;
}

MockWorker::PumpResult MockWorker::Pump(Connection& c) {
  for (;;) {
    int64_t now = NowUs();
    auto& pieces = c.plan.pieces;
    while (c.active && c.next_piece < pieces.size() && c.next_due_us <= now) {
      ResponsePiece& piece = pieces[c.next_piece];
      if (piece.close) {
        if (c.out_offset < c.out.size()) break;
        stats_.disconnects_injected.fetch_add(1, std::memory_order_relaxed);
        Close(c, false);
        return PumpResult::kClosed;
      }
      if (c.out.empty()) {
        c.out.swap(piece.bytes);
      } else {
        c.out += piece.bytes;
      }
      if (++c.next_piece < pieces.size()) c.next_due_us += pieces[c.next_piece].delay_us;
    }
    if (!Flush(c)) return PumpResult::kPeerGone;
    if (c.out_offset < c.out.size()) return PumpResult::kWaiting;  // EPOLLOUT resumes us
    if (!c.active) return PumpResult::kIdle;
    if (c.next_piece == pieces.size()) {
      Finish(c);
      if (c.plan.close_after) {
        Close(c, true);
        return PumpResult::kClosed;
      }
      return PumpResult::kFinished;
    }
    if (c.next_due_us <= NowUs()) continue;
    if (c.timer_due_us != c.next_due_us) {
      c.timer_due_us = c.next_due_us;
      timers_.emplace(c.next_due_us, c.id);
    }
    return PumpResult::kWaiting;
  }
}

void MockWorker::Begin(Connection& c, ResponsePlan plan) {
  c.plan = std::move(plan);
  c.active = true;
  c.next_piece = 0;
  c.next_due_us = NowUs() + (c.plan.pieces.empty() ? 0 : c.plan.pieces[0].delay_us);
  if (c.plan.is_stream) stats_.active_streams.fetch_add(1, std::memory_order_relaxed);
}

void MockWorker::Finish(Connection& c) {
  c.active = false;
  if (c.plan.is_stream) {
    stats_.active_streams.fetch_sub(1, std::memory_order_relaxed);
    stats_.streams_completed.fetch_add(1, std::memory_order_relaxed);
  }
  stats_.responses_completed.fetch_add(1, std::memory_order_relaxed);
  bool close_after = c.plan.close_after;
  c.plan = ResponsePlan();
  c.plan.close_after = close_after;
}

void MockWorker::PeerGone(Connection& c) {
  if (c.active) {
    stats_.client_disconnects_inflight.fetch_add(1, std::memory_order_relaxed);
    if (c.plan.is_stream) {
      stats_.client_disconnects_midstream.fetch_add(1, std::memory_order_relaxed);
    }
  }
  Close(c, false);
}

void MockWorker::Close(Connection& c, bool graceful) {
  if (c.active && c.plan.is_stream) {
    stats_.active_streams.fetch_sub(1, std::memory_order_relaxed);
  }
  if (c.ssl != nullptr) {
    if (graceful && c.handshake_done) {
      ERR_clear_error();
      SSL_shutdown(c.ssl);
    }
    SSL_free(c.ssl);
  }
  close(c.fd);
  stats_.connections_active.fetch_sub(1, std::memory_order_relaxed);
  connections_.erase(c.id);  // destroys c
}

}  // namespace ringgate::mock_upstream
