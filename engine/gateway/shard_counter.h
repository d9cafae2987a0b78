// A counter written by one shard thread and read by anyone (the /metrics scrape). A relaxed
// load+store avoids a locked instruction on the hot path; readers see a recent value.
#pragma once

#include <atomic>
#include <cstdint>

namespace ringgate::gateway {

class ShardCounter {
 public:
  void add(uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void sub(uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
  }
  uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

struct ShardCounters {
  ShardCounter connections_accepted, connections_open, requests, responses_2xx, responses_4xx,
      responses_5xx, upstream_connects, upstream_reuses, upstream_retries, client_disconnects,
      upstream_errors, timeouts,
      sse_events_oversized,  // streams ended because one event passed max_sse_event_bytes
      accept_refusals,       // accept failed with EMFILE/ENFILE (out of descriptors)
      streams_open;          // streamed answers being forwarded now
};

}  // namespace ringgate::gateway
