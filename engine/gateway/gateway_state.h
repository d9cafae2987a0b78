// State shared by every shard: read-mostly, never locked on the request path.
#pragma once

#include <atomic>
#include <memory>

#include "engine/config/config.h"
#include "engine/io/dns_resolver.h"

namespace ringgate::gateway {

struct GatewayState {
  std::shared_ptr<const config::Config> config;  // immutable snapshot
  io::DnsResolver* resolver = nullptr;
  std::atomic<bool> draining{false};
  std::atomic<unsigned> shards_ready{0};
  unsigned shard_count = 0;
  uint32_t drain_timeout_ms = 10000;

  bool ready() const {
    return !draining.load(std::memory_order_relaxed) &&
           shards_ready.load(std::memory_order_relaxed) == shard_count;
  }
};

}  // namespace ringgate::gateway
