#include "engine/gateway/upstream_pool.h"

namespace ringgate::gateway {

std::unique_ptr<UpstreamConnection> UpstreamPool::take_idle(uint64_t now_ms) {
  while (!idle_.empty()) {
    std::unique_ptr<UpstreamConnection> c = std::move(idle_.back());
    idle_.pop_back();
    if (now_ms - c->idle_since_ms < idle_timeout_ms_ && c->idle_and_clean()) {
      ++reused_;
      return c;
    }
    discard(std::move(c));
  }
  return nullptr;
}

void UpstreamPool::park(std::unique_ptr<UpstreamConnection> conn, uint64_t now_ms) {
  if (idle_.size() >= max_idle_) {
    discard(std::move(conn));
    return;
  }
  conn->idle_since_ms = now_ms;
  idle_.push_back(std::move(conn));
}

std::unique_ptr<UpstreamConnection> UpstreamPool::open_new() {
  ++open_;
  ++opened_;
  return std::make_unique<UpstreamConnection>();
}

void UpstreamPool::discard(std::unique_ptr<UpstreamConnection> conn) {
  if (!conn) return;
  conn->close();
  --open_;
}

void UpstreamPool::close_idle() {
  while (!idle_.empty()) {
    discard(std::move(idle_.back()));
    idle_.pop_back();
  }
}

}  // namespace ringgate::gateway
