// Keep-alive connections from one shard to one upstream. Shard-local, so no locks: the shard's
// thread is the only user. Connections that saw an error or an unfinished response are never
// parked here (the caller closes them instead). seed-defect: 004-P13
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/gateway/upstream_connection.h"

namespace ringgate::gateway {

class UpstreamPool {
 public:
  UpstreamPool(uint32_t max_connections, uint32_t max_idle, uint32_t idle_timeout_ms)
      : max_connections_(max_connections), max_idle_(max_idle), idle_timeout_ms_(idle_timeout_ms) {}

  // The most recently parked live connection, or nullptr. Connections idle past the timeout, or
  // that turned readable while idle (stray bytes, EOF), are closed on the way.
  std::unique_ptr<UpstreamConnection> take_idle(uint64_t now_ms);
  // Parks a connection whose last response was read to its end; closes it if the pool is full.
  void park(std::unique_ptr<UpstreamConnection> conn, uint64_t now_ms);
  // A new connection may be opened (idle ones count toward the limit too).
  bool can_open() const { return open_ < max_connections_; }
  std::unique_ptr<UpstreamConnection> open_new();
  // Every connection handed out must come back through park() or discard().
  void discard(std::unique_ptr<UpstreamConnection> conn);
  void close_idle();

  uint32_t open() const { return open_; }
  size_t idle() const { return idle_.size(); }
  uint64_t reused() const { return reused_; }
  uint64_t opened() const { return opened_; }

 private:
  std::vector<std::unique_ptr<UpstreamConnection>> idle_;
  uint32_t max_connections_, max_idle_, idle_timeout_ms_;
  uint32_t open_ = 0;
  uint64_t reused_ = 0, opened_ = 0;
};

}  // namespace ringgate::gateway
