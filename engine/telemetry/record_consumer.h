// The off-shard end of every shard's record ring: one thread drains them all. For now it counts
// records (and logs each one as a JSON line when RINGGATE_LOG=debug); the accounting issue makes
// it the ledger, the metrics and the access log.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/telemetry/record_ring.h"

namespace ringgate::telemetry {

class RecordConsumer {
 public:
  explicit RecordConsumer(std::vector<RecordRing*> rings, bool log_records);
  ~RecordConsumer();
  RecordConsumer(const RecordConsumer&) = delete;

  // Drains what is left, then stops the thread. Call after the shards stopped pushing.
  void stop();

  uint64_t consumed() const { return consumed_.load(std::memory_order_relaxed); }
  uint64_t dropped() const;
  // Requests refused for a missing or wrong virtual key (each also logged as a warning).
  uint64_t auth_failures() const { return auth_failures_.load(std::memory_order_relaxed); }

 private:
  void run();
  bool drain_once();

  std::vector<RecordRing*> rings_;
  bool log_records_;
  std::atomic<uint64_t> consumed_{0};
  std::atomic<uint64_t> auth_failures_{0};
  std::mutex mu_;  // only for the stop signal; shards never take it
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ringgate::telemetry
