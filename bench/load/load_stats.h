#pragma once

#include <array>
#include <cstdint>

#include "bench/load/latency_histogram.h"

namespace ringgate::bench {

// What one worker measured; workers' stats are merged at the end. Only requests whose
// intended send time falls inside the measured window (after warmup) are counted.
struct LoadStats {
  uint64_t requests = 0;  // complete responses, any status
  uint64_t body_bytes = 0;
  uint64_t events = 0;   // SSE events, with --stream
  uint64_t backlog = 0;  // open loop: intended sends never sent before the end
  uint64_t reconnects = 0;

  uint64_t connect_errors = 0;
  uint64_t read_errors = 0;  // recv failed or the peer closed mid-response
  uint64_t write_errors = 0;
  uint64_t timeout_errors = 0;
  uint64_t protocol_errors = 0;  // unparseable response
  std::array<uint64_t, 600> status_counts{};

  LatencyHistogram latency;  // ns, intended send to last byte
  LatencyHistogram ttfb;     // ns, intended send to first body byte
  LatencyHistogram gap;      // ns, between SSE events of one response

  uint64_t status_errors() const {
    uint64_t n = 0;
    for (size_t code = 400; code < status_counts.size(); ++code) n += status_counts[code];
    return n;
  }
  uint64_t errors() const {
    return connect_errors + read_errors + write_errors + timeout_errors + protocol_errors +
           status_errors();
  }

  void merge(const LoadStats& other) {
    requests += other.requests;
    body_bytes += other.body_bytes;
    events += other.events;
    backlog += other.backlog;
    reconnects += other.reconnects;
    connect_errors += other.connect_errors;
    read_errors += other.read_errors;
    write_errors += other.write_errors;
    timeout_errors += other.timeout_errors;
    protocol_errors += other.protocol_errors;
    for (size_t i = 0; i < status_counts.size(); ++i) status_counts[i] += other.status_counts[i];
    latency.merge(other.latency);
    ttfb.merge(other.ttfb);
    gap.merge(other.gap);
  }
};

}  // namespace ringgate::bench
