// A single-flight follower's bounded wait on its own shard: an io_uring timeout that the shard
// cuts short when woken for flights (Shard::wake_flight_followers, written to the shard's
// eventfd by whichever thread settled the flight). Never blocks the shard: other connections
// are served meanwhile, and a wake that races the timeout only ends the wait early.
#pragma once

#include <liburing.h>

#include <coroutine>
#include <cstdint>

#include "engine/io/ring.h"

namespace ringgate::gateway {

class Shard;

class FlightWait final : public io::IoOp {
 public:
  FlightWait(Shard& shard, uint32_t ms);
  FlightWait(const FlightWait&) = delete;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h);
  void await_resume() const noexcept {}
  void on_cqe(int, uint32_t) override;

 private:
  Shard& shard_;
  __kernel_timespec ts_{};
  std::coroutine_handle<> handle_;
};

}  // namespace ringgate::gateway
