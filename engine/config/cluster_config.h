// [cluster]: fleet-wide request limits and budgets shared by every node through one Redis
// (engine/cluster).
#pragma once

#include <cstdint>
#include <string>

namespace ringgate::config {

enum class RedisDownPolicy : uint8_t {
  kClosed,  // an empty lease is answered 503 until Redis is back
  kLocal,   // each node admits limit / nodes per window on its own
};

struct ClusterConfig {
  bool enabled = false;    // a [cluster] table with redis = "..." is present
  std::string redis_host;  // an IP literal (or localhost)
  uint16_t redis_port = 6379;
  std::string node_id;           // this node's field in Redis' per-window hashes
  double slice_fraction = 0.05;  // a lease is this share of the limit ...
  int64_t slice = 0;             // ... or this many requests when set (> 0)
  int64_t timeout_ms = 200;      // deadline of one pipelined round trip
  RedisDownPolicy on_redis_down = RedisDownPolicy::kClosed;
  int64_t nodes = 1;              // the fleet's size, for the local fallback's limit / nodes
  int64_t idle_return_ms = 1000;  // a lease untouched this long goes back to Redis
  // mode = "exact": request limits hold no slack; each request waits (off the shard's CPU, on
  // its eventfd) for Redis to grant it, up to timeout_ms. Budgets stay leased.
  bool exact = false;

  // A budget's lease (microdollars): `slice` counts requests, so only the fraction applies.
  uint64_t budget_slice_for(uint64_t limit_micros) const {
    const uint64_t s = uint64_t(double(limit_micros) * slice_fraction);
    return s < 1 ? 1 : s;
  }
  uint64_t slice_for(uint64_t limit) const {
    const uint64_t s = slice > 0 ? uint64_t(slice) : uint64_t(double(limit) * slice_fraction);
    return s < 1 ? 1 : s;
  }
};

}  // namespace ringgate::config
