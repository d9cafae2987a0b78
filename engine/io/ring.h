// One io_uring per shard, driven by that shard's thread only (SINGLE_ISSUER). Operations are
// awaitables: the SQE's user_data points at the suspended awaitable, whose completion resumes the
// coroutine. Deadlines live in one per-shard heap rather than a linked timeout SQE per operation:
// the ring's wait ends at the earliest deadline, and an operation past its deadline is cancelled,
// so it completes with -ECANCELED (as a linked timeout would make it), at half the SQEs.
#pragma once

#include <liburing.h>
#include <poll.h>
#include <sys/socket.h>

#include <coroutine>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ringgate::io {

// Anything that wants a CQE. user_data == 0 means "nobody cares" (linked timeouts, cancels).
class IoOp {
 public:
  virtual void on_cqe(int res, uint32_t flags) = 0;

 protected:
  ~IoOp() = default;
};

struct IoResult {
  int res = 0;
  uint32_t flags = 0;
};

// An operation with a deadline: its place in the ring's deadline heap.
class TimedOp : public IoOp {
 public:
  uint64_t deadline_ms = 0;
  size_t heap_index = SIZE_MAX;  // SIZE_MAX: not in the heap

 protected:
  ~TimedOp() = default;
};

// The shard's pending deadlines, earliest first (a binary heap that knows each entry's index, so
// a completed operation leaves it in O(log n)).
class DeadlineHeap {
 public:
  void add(TimedOp* op);
  void remove(TimedOp* op);
  bool empty() const { return heap_.empty(); }
  TimedOp* earliest() const { return heap_.front(); }
  size_t size() const { return heap_.size(); }

 private:
  void place(size_t i, TimedOp* op);
  void sift_up(size_t i);
  void sift_down(size_t i);
  std::vector<TimedOp*> heap_;
};

class Ring {
 public:
  Ring() = default;
  Ring(const Ring&) = delete;
  ~Ring();

  // Tries SINGLE_ISSUER|DEFER_TASKRUN, then COOP_TASKRUN, then plain; must be called on the
  // thread that will drive the ring.
  bool init(unsigned entries, std::string& err);
  const char* mode() const { return mode_; }

  // Returns a free SQE, submitting queued ones first if the queue is full. `n` consecutive
  // SQEs are guaranteed to be free (for linked pairs).
  io_uring_sqe* sqe(unsigned n = 1);
  // Submits and waits for at least one completion, then dispatches every ready completion.
  void run_once();
  io_uring* raw() { return &ring_; }

  // Fire-and-forget helpers (completion ignored).
  void cancel_fd(int fd);
  // Ends a pending io_uring timeout early: its operation completes with -ECANCELED (or has
  // already completed: then nothing happens).
  void cancel_timeout(IoOp* op);

  // Deadlines: an operation registers when submitted and leaves when it completes.
  void add_deadline(TimedOp* op, uint32_t timeout_ms);
  void remove_deadline(TimedOp* op) {
    if (op->heap_index != SIZE_MAX) deadlines_.remove(op);
  }
  size_t pending_deadlines() const { return deadlines_.size(); }

 private:
  // Cancels every operation whose deadline has passed.
  void expire_deadlines();

  DeadlineHeap deadlines_;
  io_uring ring_{};
  bool ready_ = false;
  const char* mode_ = "none";
};

// Generic awaitable: `prep` fills the SQE. timeout_ms == 0 means no deadline.
template <class Prep>
class RingOp final : public TimedOp {
 public:
  RingOp(Ring& ring, uint32_t timeout_ms, Prep prep)
      : ring_(ring), timeout_ms_(timeout_ms), prep_(prep) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    handle_ = h;
    io_uring_sqe* s = ring_.sqe();
    prep_(s);
    io_uring_sqe_set_data(s, static_cast<IoOp*>(this));
    if (timeout_ms_) ring_.add_deadline(this, timeout_ms_);
  }
  IoResult await_resume() const noexcept { return result_; }
  void on_cqe(int res, uint32_t flags) override {
    ring_.remove_deadline(this);
    result_ = {res, flags};
    handle_.resume();
  }

 private:
  Ring& ring_;
  uint32_t timeout_ms_;
  Prep prep_;
  IoResult result_{};
  std::coroutine_handle<> handle_;
};

template <class Prep>
RingOp<Prep> make_op(Ring& ring, uint32_t timeout_ms, Prep prep) {
  return RingOp<Prep>(ring, timeout_ms, prep);
}

inline auto async_recv(Ring& r, int fd, void* buf, size_t len, uint32_t timeout_ms) {
  return make_op(r, timeout_ms, [=](io_uring_sqe* s) { io_uring_prep_recv(s, fd, buf, len, 0); });
}
// Receives into a buffer picked from provided-buffer group `group` at completion time, so a
// connection waiting for bytes holds no buffer. The buffer id is in flags >>
// IORING_CQE_BUFFER_SHIFT.
inline auto async_recv_provided(Ring& r, int fd, uint16_t group, uint32_t timeout_ms) {
  return make_op(r, timeout_ms, [=](io_uring_sqe* s) {
    io_uring_prep_recv(s, fd, nullptr, 0, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = group;
  });
}
inline auto async_send(Ring& r, int fd, const void* buf, size_t len, uint32_t timeout_ms) {
  return make_op(r, timeout_ms,
                 [=](io_uring_sqe* s) { io_uring_prep_send(s, fd, buf, len, MSG_NOSIGNAL); });
}
inline auto async_sendmsg(Ring& r, int fd, const msghdr* msg, uint32_t timeout_ms) {
  return make_op(r, timeout_ms,
                 [=](io_uring_sqe* s) { io_uring_prep_sendmsg(s, fd, msg, MSG_NOSIGNAL); });
}
inline auto async_connect(Ring& r, int fd, const sockaddr* addr, socklen_t len,
                          uint32_t timeout_ms) {
  return make_op(r, timeout_ms, [=](io_uring_sqe* s) { io_uring_prep_connect(s, fd, addr, len); });
}

// Watches a socket for the peer hanging up (POLLRDHUP/HUP/ERR) while its owner is busy
// elsewhere, e.g. a client that goes away while its upstream is still generating. One multishot
// poll per connection: armed once, it reports every hang-up until stop(), so requests on a
// keep-alive connection cost no poll SQEs. stop() must be awaited before the watch is destroyed,
// so the kernel never completes into freed memory.
class HangupWatch final : public IoOp {
 public:
  explicit HangupWatch(Ring& r) : ring_(r) {}
  // on_hangup runs (possibly more than once) when the peer hangs up, until stop().
  template <class F>
  void start(int fd, F&& on_hangup) {
    on_hangup_ = std::forward<F>(on_hangup);
    armed_ = true;
    io_uring_sqe* s = ring_.sqe();
    io_uring_prep_poll_multishot(s, fd, POLLRDHUP | POLLHUP | POLLERR);
    io_uring_sqe_set_data(s, static_cast<IoOp*>(this));
  }
  bool armed() const { return armed_; }
  void on_cqe(int res, uint32_t flags) override {
    if (!(flags & IORING_CQE_F_MORE)) armed_ = false;
    if (!stopping_ && res >= 0) {
      if (on_hangup_) on_hangup_();
    }
    // A removal that races with the poll firing can find it busy and leave it armed: ask again
    // until the kernel reports the poll finished.
    if (armed_ && stopping_) submit_remove();
    if (!armed_ && waiter_) std::exchange(waiter_, {}).resume();
  }
  // Awaitable stop: removes the poll if still armed and waits for its last completion.
  struct StopAwaiter {
    HangupWatch& w;
    bool await_ready() const noexcept { return !w.armed_; }
    void await_suspend(std::coroutine_handle<> h) {
      w.waiter_ = h;
      w.stopping_ = true;
      w.submit_remove();
    }
    void await_resume() const noexcept {}
  };
  StopAwaiter stop() { return StopAwaiter{*this}; }

 private:
  void submit_remove() {
    io_uring_sqe* s = ring_.sqe();
    io_uring_prep_poll_remove(s, reinterpret_cast<uint64_t>(static_cast<IoOp*>(this)));
    io_uring_sqe_set_data(s, nullptr);
  }

  Ring& ring_;
  std::function<void()> on_hangup_;
  bool armed_ = false, stopping_ = false;
  std::coroutine_handle<> waiter_;
};

}  // namespace ringgate::io
