// Keep-alive connections from one shard to one upstream. Shard-local, so no locks: the shard's
// thread is the only user. Connections that saw an error or an unfinished response are never
// parked here (the caller closes them instead). seed-defect: 004-P13
//
// At max_connections, requests wait in a bounded FIFO (queue_depth, queue_timeout_ms) instead
// of failing at once: every connection parked or discarded wakes the first waiter, which then
// takes the idle connection or opens one in the freed slot.
#pragma once

#include <coroutine>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/gateway/upstream_connection.h"
#include "engine/io/ring.h"

namespace ringgate::gateway {

enum class PoolWait {
  kReady,       // a connection came back: try again
  kQueueFull,   // queue_depth requests are already waiting
  kTimedOut,    // nothing came back within the wait
  kClientGone,  // the waiting client hung up (it has left the queue)
};

struct PoolLimits {
  uint32_t max_connections = 1024;
  uint32_t max_idle = 32;
  uint32_t idle_timeout_ms = 60000;
  uint32_t queue_depth = 1024;
  uint32_t queue_timeout_ms = 5000;
  bool operator==(const PoolLimits&) const = default;
};

class UpstreamPool {
 public:
  class Waiter;

  explicit UpstreamPool(const PoolLimits& limits);
  UpstreamPool(const UpstreamPool&) = delete;

  // The most recently parked live connection, or nullptr. Connections idle past the timeout, or
  // that turned readable while idle (stray bytes, EOF), are closed on the way.
  std::unique_ptr<UpstreamConnection> take_idle(uint64_t now_ms);
  // Parks a connection whose last response was read to its end; closes it if the pool is full.
  void park(std::unique_ptr<UpstreamConnection> conn, uint64_t now_ms);
  // A new connection may be opened (idle ones count toward the limit too).
  bool can_open() const { return open_ < limits_.max_connections; }
  std::unique_ptr<UpstreamConnection> open_new();
  // Every connection handed out must come back through park() or discard().
  void discard(std::unique_ptr<UpstreamConnection> conn);
  void close_idle();
  // The upstream left the config: close idle connections now and the rest as they come back.
  void retire();

  // Awaitable: waits (at most timeout_ms) until a connection comes back, watching client_fd so
  // a client that hangs up leaves the queue at once. `again`: a waiter that was woken but found
  // the connection taken keeps its place at the front.
  Waiter wait(io::Ring& ring, int client_fd, uint32_t timeout_ms, bool again);
  uint32_t queue_timeout_ms() const { return limits_.queue_timeout_ms; }
  // "Retry-After: N\r\n" for the 503 when waiting fails; lives as long as the pool.
  std::string_view retry_after_header() const { return retry_after_; }

  uint32_t open() const { return open_; }
  size_t idle() const { return idle_.size(); }
  size_t waiting() const { return waiting_; }

 private:
  void enqueue(Waiter* w, bool front);
  void unlink(Waiter* w);
  void wake_first();

  std::vector<std::unique_ptr<UpstreamConnection>> idle_;
  PoolLimits limits_;
  std::string retry_after_;
  uint32_t open_ = 0;
  Waiter* head_ = nullptr;  // intrusive FIFO of waiters (their coroutine frames own them)
  Waiter* tail_ = nullptr;
  size_t waiting_ = 0;
  friend class Waiter;
};

// One request waiting for a connection: a poll for the client hanging up, linked to a timeout
// for the deadline. Whatever ends the wait (a wake-up removing the poll, the hang-up, the
// timeout), the poll's one completion resumes the coroutine, so the frame is never left with an
// operation in flight.
class UpstreamPool::Waiter final : public io::IoOp {
 public:
  Waiter(UpstreamPool& pool, io::Ring& ring, int client_fd, uint32_t timeout_ms, bool again)
      : pool_(pool), ring_(ring), fd_(client_fd), timeout_ms_(timeout_ms), again_(again) {}
  bool await_ready();
  void await_suspend(std::coroutine_handle<> h);
  PoolWait await_resume() const { return result_; }
  void on_cqe(int res, uint32_t flags) override;

 private:
  friend class UpstreamPool;
  void wake();

  UpstreamPool& pool_;
  io::Ring& ring_;
  int fd_;
  uint32_t timeout_ms_;
  bool again_;
  bool queued_ = false, woken_ = false;
  PoolWait result_ = PoolWait::kTimedOut;
  __kernel_timespec ts_{};
  std::coroutine_handle<> handle_;
  Waiter* prev_ = nullptr;
  Waiter* next_ = nullptr;
};

}  // namespace ringgate::gateway
