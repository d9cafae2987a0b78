// A coroutine's pause on its shard's ring: `co_await io::Sleep(ring, ms)` resumes after `ms`
// milliseconds (an io_uring timeout), the thread serving everything else meanwhile. For bounded
// waits on something another thread sets (a poll every millisecond or so), never for pacing.
#pragma once

#include <liburing.h>

#include <coroutine>
#include <cstdint>

#include "engine/io/ring.h"

namespace ringgate::io {

class Sleep final : public IoOp {
 public:
  Sleep(Ring& ring, uint32_t ms) : ring_(ring) {
    ts_.tv_sec = ms / 1000;
    ts_.tv_nsec = static_cast<long long>(ms % 1000) * 1000000;
  }
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    handle_ = h;
    io_uring_sqe* s = ring_.sqe();
    io_uring_prep_timeout(s, &ts_, 0, 0);
    io_uring_sqe_set_data(s, static_cast<IoOp*>(this));
  }
  void await_resume() const noexcept {}
  void on_cqe(int, uint32_t) override { handle_.resume(); }

 private:
  Ring& ring_;
  __kernel_timespec ts_{};
  std::coroutine_handle<> handle_;
};

}  // namespace ringgate::io
