#include "bench/load/load_worker.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ringgate::bench {
namespace {

constexpr size_t kRecvBufferBytes = 32 * 1024;
constexpr uint64_t kScanIntervalNs = 5'000'000;
constexpr uint64_t kConnectRetryNs = 100'000'000;

uint64_t make_user_data(uint32_t index, uint64_t op) { return (uint64_t{index} << 8) | op; }

uint64_t xorshift(uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

}  // namespace

uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

LoadWorker::LoadWorker(const WorkerPlan& plan) : plan_(plan) {
  rng_state_ = 0x9e3779b97f4a7c15ull ^ (monotonic_ns() * (static_cast<uint64_t>(plan.index) + 1));
  if (rng_state_ == 0) rng_state_ = 1;
}

LoadWorker::~LoadWorker() {
  for (Connection& c : connections_) {
    if (c.fd >= 0) ::close(c.fd);
  }
  if (ring_ready_) io_uring_queue_exit(&ring_);
}

std::string LoadWorker::init() {
  unsigned entries = 64;
  while (entries < 2u * static_cast<unsigned>(plan_.connections) + 16 && entries < 32768) {
    entries *= 2;
  }
  io_uring_params params{};
  params.flags = IORING_SETUP_COOP_TASKRUN;
  int rc = io_uring_queue_init_params(entries, &ring_, &params);
  if (rc == -EINVAL) {
    params = io_uring_params{};
    rc = io_uring_queue_init_params(entries, &ring_, &params);
  }
  if (rc < 0) return std::string("io_uring_queue_init: ") + std::strerror(-rc);
  ring_ready_ = true;

  connections_.resize(static_cast<size_t>(plan_.connections));
  idle_.reserve(connections_.size());
  for (Connection& c : connections_) {
    c.buffer.reset(new char[kRecvBufferBytes]);
    if (plan_.builder->varies()) {
      c.request.reserve(plan_.builder->size_hint());
      c.body_scratch.reserve(plan_.builder->size_hint());
    }
  }
  return {};
}

io_uring_sqe* LoadWorker::get_sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  while (sqe == nullptr) {
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

void LoadWorker::open(Connection& c, uint64_t now) {
  const auto* address = reinterpret_cast<const sockaddr*>(&plan_.address->storage);
  c.fd = ::socket(address->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c.fd < 0) {
    ++stats_.connect_errors;
    c.state = ConnState::kDisconnected;
    c.reconnect_at_ns = now + kConnectRetryNs;
    return;
  }
  const int one = 1;
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const auto index = static_cast<uint32_t>(&c - connections_.data());
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_connect(sqe, c.fd, address, plan_.address->length);
  io_uring_sqe_set_data64(sqe, make_user_data(index, kConnect));
  c.state = ConnState::kConnecting;
  c.deadline_ns = now + plan_.timeout_ns;
  c.fill = 0;
  ++c.pending;
}

void LoadWorker::post_send(Connection& c, uint32_t index) {
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_send(sqe, c.fd, c.send_ptr, c.send_left, MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, make_user_data(index, kSend));
  ++c.pending;
}

void LoadWorker::post_recv(Connection& c, uint32_t index) {
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_recv(sqe, c.fd, c.buffer.get() + c.fill, kRecvBufferBytes - c.fill, 0);
  io_uring_sqe_set_data64(sqe, make_user_data(index, kRecv));
  ++c.pending;
}

bool LoadWorker::can_issue(uint64_t intended_ns) const {
  if (!running_) return false;
  if (intended_ns < measure_start_ns_ || plan_.request_quota == 0) return true;
  return issued_measured_ < plan_.request_quota;
}

void LoadWorker::become_ready(uint32_t index, uint64_t now) {
  Connection& c = connections_[index];
  c.state = ConnState::kReady;
  if (plan_.rate > 0) {
    if (schedule_.due(now) && can_issue(schedule_.next_due())) {
      dispatch(index, schedule_.take(), now);
    } else {
      idle_.push_back(index);
    }
  } else if (can_issue(now)) {
    dispatch(index, now, now);
  }
}

void LoadWorker::dispatch(uint32_t index, uint64_t intended_ns, uint64_t now) {
  Connection& c = connections_[index];
  if (plan_.builder->varies()) {
    const uint64_t seq =
        sequence_++ * static_cast<uint64_t>(plan_.threads) + static_cast<uint64_t>(plan_.index);
    plan_.builder->build(seq, xorshift(rng_state_), c.body_scratch, c.request);
    c.send_ptr = c.request.data();
    c.send_left = c.request.size();
  } else {
    c.send_ptr = plan_.builder->fixed_request().data();
    c.send_left = plan_.builder->fixed_request().size();
  }
  c.intended_ns = intended_ns;
  c.measured = intended_ns >= measure_start_ns_;
  if (c.measured) {
    ++issued_measured_;
    ++inflight_measured_;
  }
  c.first_byte_ns = 0;
  c.last_event_ns = 0;
  c.deadline_ns = now + plan_.timeout_ns;
  c.reader.reset(plan_.head_request);
  c.state = ConnState::kBusy;
  post_send(c, index);
}

// The request on `c` is over, answered or not; it no longer counts as in flight.
void LoadWorker::finish_request(Connection& c) {
  if (c.measured) {
    --inflight_measured_;
    c.measured = false;
  }
}

void LoadWorker::begin_close(uint32_t index, uint64_t reconnect_delay_ns) {
  Connection& c = connections_[index];
  if (c.state == ConnState::kBusy) finish_request(c);
  c.state = ConnState::kClosing;
  c.reconnect_delay_ns = reconnect_delay_ns;
  if (c.pending > 0) {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_cancel_fd(sqe, c.fd, IORING_ASYNC_CANCEL_ALL);
    io_uring_sqe_set_data64(sqe, make_user_data(index, kCancel));
    ++c.pending;
  }
  maybe_finish_close(index);
}

// The fd is closed only once the kernel has returned every operation on it, so a completion
// can never refer to a reused descriptor.
void LoadWorker::maybe_finish_close(uint32_t index) {
  Connection& c = connections_[index];
  if (c.state != ConnState::kClosing || c.pending > 0) return;
  ::close(c.fd);
  c.fd = -1;
  c.state = ConnState::kDisconnected;
  c.fill = 0;
  c.reconnect_at_ns = now_ns_ + c.reconnect_delay_ns;
  if (!running_) return;
  if (now_ns_ >= measure_start_ns_) ++stats_.reconnects;
  if (c.reconnect_delay_ns == 0) open(c, now_ns_);
}

void LoadWorker::on_connect(uint32_t index, int res, uint64_t now) {
  Connection& c = connections_[index];
  if (c.state == ConnState::kClosing) return maybe_finish_close(index);
  if (res < 0) {
    ++stats_.connect_errors;
    return begin_close(index, kConnectRetryNs);
  }
  post_recv(c, index);
  c.state = ConnState::kReady;
  if (running_) become_ready(index, now);
}

void LoadWorker::on_send(uint32_t index, int res) {
  Connection& c = connections_[index];
  if (c.state == ConnState::kClosing) return maybe_finish_close(index);
  if (res <= 0) {
    if (c.measured) ++stats_.write_errors;
    return begin_close(index, 0);
  }
  c.send_ptr += res;
  c.send_left -= static_cast<size_t>(res);
  if (c.send_left > 0) post_send(c, index);
}

void LoadWorker::on_recv(uint32_t index, int res, uint64_t now) {
  Connection& c = connections_[index];
  if (c.state == ConnState::kClosing) return maybe_finish_close(index);
  if (res == -EINTR || res == -EAGAIN || res == -ENOBUFS) return post_recv(c, index);
  const bool busy = c.state == ConnState::kBusy;
  const bool counted = busy && c.measured && now <= end_ns_;
  if (res < 0) {
    if (counted) ++stats_.read_errors;
    return begin_close(index, 0);
  }
  if (res == 0) {
    // A keep-alive connection closed while idle is the server's right, not an error.
    if (busy) {
      if (c.reader.finish_at_eof()) {
        if (counted) {
          ++stats_.requests;
          ++stats_.status_counts[std::min(c.reader.status_code(), 599)];
          stats_.latency.record(now - c.intended_ns);
          if (c.first_byte_ns != 0) stats_.ttfb.record(c.first_byte_ns - c.intended_ns);
          last_completion_ns_ = now;
        }
      } else if (counted) {
        ++stats_.read_errors;
      }
    }
    return begin_close(index, 0);
  }
  if (!busy) {
    if (now >= measure_start_ns_) ++stats_.protocol_errors;  // bytes nobody asked for
    return begin_close(index, 0);
  }

  c.fill += static_cast<size_t>(res);
  const ResponseReader::Progress progress = c.reader.feed(c.buffer.get(), c.fill);
  if (progress.body_bytes > 0 && c.first_byte_ns == 0) c.first_byte_ns = now;
  if (progress.events > 0 && plan_.stream) {
    if (counted) {
      stats_.events += progress.events;
      // Events that arrived in one read arrived together: their gaps are zero as far as any
      // client could tell.
      if (c.last_event_ns != 0) stats_.gap.record(now - c.last_event_ns);
      for (uint32_t i = 1; i < progress.events; ++i) stats_.gap.record(0);
    }
    c.last_event_ns = now;
  }
  if (counted) stats_.body_bytes += progress.body_bytes;

  switch (progress.status) {
    case ResponseReader::Status::kError:
      if (counted) ++stats_.protocol_errors;
      return begin_close(index, 0);
    case ResponseReader::Status::kNeedMore:
      if (progress.consumed > 0) {
        std::memmove(c.buffer.get(), c.buffer.get() + progress.consumed,
                     c.fill - progress.consumed);
        c.fill -= progress.consumed;
      }
      if (c.fill == kRecvBufferBytes) {  // a response head larger than the whole buffer
        if (counted) ++stats_.protocol_errors;
        return begin_close(index, 0);
      }
      return post_recv(c, index);
    case ResponseReader::Status::kComplete:
      break;
  }

  if (counted) {
    ++stats_.requests;
    ++stats_.status_counts[std::min(c.reader.status_code(), 599)];
    stats_.latency.record(now - c.intended_ns);
    stats_.ttfb.record((c.first_byte_ns != 0 ? c.first_byte_ns : now) - c.intended_ns);
    last_completion_ns_ = now;
  }
  finish_request(c);
  if (progress.consumed != c.fill) {
    // Bytes after the response although only one request was in flight.
    if (counted) ++stats_.protocol_errors;
    return begin_close(index, 0);
  }
  c.fill = 0;
  if (!c.reader.keep_alive()) return begin_close(index, 0);
  post_recv(c, index);
  become_ready(index, now);
}

void LoadWorker::handle(uint64_t user_data, int res, uint64_t now) {
  const auto index = static_cast<uint32_t>(user_data >> 8);
  Connection& c = connections_[index];
  --c.pending;
  switch (user_data & 0xff) {
    case kConnect:
      return on_connect(index, res, now);
    case kSend:
      return on_send(index, res);
    case kRecv:
      return on_recv(index, res, now);
    case kCancel:
      return maybe_finish_close(index);
  }
}

void LoadWorker::drain_completions() {
  io_uring_cqe* cqe;
  unsigned head;
  unsigned seen = 0;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    now_ns_ = monotonic_ns();
    handle(cqe->user_data, cqe->res, now_ns_);
    ++seen;
  }
  io_uring_cq_advance(&ring_, seen);
}

int LoadWorker::connect_all(uint64_t deadline_ns) {
  now_ns_ = monotonic_ns();
  for (Connection& c : connections_) open(c, now_ns_);
  for (;;) {
    int up = 0;
    int connecting = 0;
    for (const Connection& c : connections_) {
      up += c.state == ConnState::kReady;
      connecting += c.state == ConnState::kConnecting;
    }
    now_ns_ = monotonic_ns();
    if (connecting == 0 || now_ns_ >= deadline_ns) return up;
    const uint64_t wait = deadline_ns - now_ns_;
    __kernel_timespec ts{static_cast<long long>(wait / 1'000'000'000u),
                         static_cast<long long>(wait % 1'000'000'000u)};
    io_uring_cqe* cqe = nullptr;
    io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    drain_completions();
  }
}

void LoadWorker::scan(uint64_t now) {
  for (uint32_t i = 0; i < connections_.size(); ++i) {
    Connection& c = connections_[i];
    switch (c.state) {
      case ConnState::kBusy:
        if (now >= c.deadline_ns) {
          if (c.measured) ++stats_.timeout_errors;
          begin_close(i, 0);
        }
        break;
      case ConnState::kConnecting:
        if (now >= c.deadline_ns) {
          ++stats_.connect_errors;
          begin_close(i, kConnectRetryNs);
        }
        break;
      case ConnState::kDisconnected:
        if (running_ && now >= c.reconnect_at_ns) open(c, now);
        break;
      case ConnState::kReady:
      case ConnState::kClosing:
        break;
    }
  }
}

void LoadWorker::run(uint64_t start_ns, uint64_t measure_start_ns, uint64_t end_ns) {
  measure_start_ns_ = measure_start_ns;
  end_ns_ = end_ns;
  running_ = true;
  if (plan_.rate > 0) {
    // Threads interleave their schedules instead of all sending at the same instants.
    const double offset_ns = 1e9 / (plan_.rate * plan_.threads) * plan_.index;
    schedule_ = SendSchedule(start_ns + static_cast<uint64_t>(offset_ns), plan_.rate);
  }
  now_ns_ = monotonic_ns();
  for (uint32_t i = 0; i < connections_.size(); ++i) {
    if (connections_[i].state == ConnState::kReady) become_ready(i, now_ns_);
  }
  uint64_t next_scan = now_ns_ + kScanIntervalNs;
  for (;;) {
    now_ns_ = monotonic_ns();
    if (now_ns_ >= end_ns_) break;
    const bool quota_done = plan_.request_quota != 0 && issued_measured_ >= plan_.request_quota &&
                            inflight_measured_ == 0;
    if (quota_done) break;
    if (plan_.rate > 0) {
      while (!idle_.empty() && schedule_.due(now_ns_) && can_issue(schedule_.next_due())) {
        const uint32_t index = idle_.back();
        idle_.pop_back();
        dispatch(index, schedule_.take(), now_ns_);
      }
    }
    if (now_ns_ >= next_scan) {
      scan(now_ns_);
      next_scan = now_ns_ + kScanIntervalNs;
    }
    uint64_t wake = std::min(end_ns_, next_scan);
    if (plan_.rate > 0 && !idle_.empty() && can_issue(schedule_.next_due())) {
      wake = std::min(wake, schedule_.next_due());
    }
    const uint64_t wait = wake > now_ns_ ? wake - now_ns_ : 0;
    __kernel_timespec ts{static_cast<long long>(wait / 1'000'000'000u),
                         static_cast<long long>(wait % 1'000'000'000u)};
    io_uring_cqe* cqe = nullptr;
    io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    drain_completions();
  }
  running_ = false;
  if (plan_.rate > 0) {
    // A request that fell due in the last moment before the end is not a sign of an overloaded
    // target, only of where the run stopped.
    constexpr uint64_t kBacklogSlackNs = 1'000'000;
    const uint64_t stop = std::min(now_ns_, end_ns_);
    uint64_t backlog = schedule_.backlog(stop > kBacklogSlackNs ? stop - kBacklogSlackNs : 0);
    if (plan_.request_quota != 0) {
      backlog =
          std::min(backlog, plan_.request_quota - std::min(plan_.request_quota, issued_measured_));
    }
    stats_.backlog = backlog;
  }
}

}  // namespace ringgate::bench
