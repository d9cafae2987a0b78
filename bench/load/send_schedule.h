#pragma once

#include <cstdint>

namespace ringgate::bench {

// Intended send times of an open-loop run at a fixed rate. Latency is measured from these
// times, not from when a connection happened to be free to send: a server that stalls makes
// the requests queued behind the stall late, and that lateness is latency the users of a
// real open system would see (the coordinated-omission correction of wrk2).
class SendSchedule {
 public:
  SendSchedule() = default;
  SendSchedule(uint64_t start_ns, double requests_per_second);

  // Intended send time of the next request not yet taken.
  uint64_t next_due() const;
  bool due(uint64_t now_ns) const { return next_due() <= now_ns; }

  // Takes the next request and returns its intended send time.
  uint64_t take();

  uint64_t taken() const { return taken_; }

  // Requests whose intended time has passed by now_ns but that were not taken yet.
  uint64_t backlog(uint64_t now_ns) const;

 private:
  uint64_t start_ns_ = 0;
  double interval_ns_ = 0;
  uint64_t taken_ = 0;
};

}  // namespace ringgate::bench
