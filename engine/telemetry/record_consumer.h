// The off-shard end of every shard's rings: one thread drains them all. It reads each request's
// usage from its body copy (Accountant), settles what the request owed, counts records, and logs
// hands each to its sinks (ledger, metrics, log).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/telemetry/accountant.h"
#include "engine/telemetry/record_ring.h"
#include "engine/telemetry/record_sinks.h"
#include "engine/telemetry/tap_ring.h"

namespace ringgate::telemetry {

// One shard's two rings: its records, and the body copies they refer to.
struct ShardRings {
  RecordRing* records = nullptr;
  TapRing* taps = nullptr;
};

class RecordConsumer {
 public:
  // tokenizers: what the Accountant counts usage with when an upstream reports none (null: off).
  // hold: a test hook (RINGGATE_TEST_HOLD_ACCOUNTING): drain nothing until stop(), so a test can
  // show the shards keep serving, dropping and counting, while their rings are full.
  RecordConsumer(std::vector<ShardRings> rings, RecordSinkOptions sinks,
                 std::shared_ptr<const providers::tokenizer::TokenizerSet> tokenizers = {},
                 bool hold = false);
  ~RecordConsumer();
  RecordConsumer(const RecordConsumer&) = delete;

  // Drains what is left, then stops the thread. Call after the shards stopped pushing.
  void stop();

  uint64_t consumed() const { return consumed_.load(std::memory_order_relaxed); }
  uint64_t dropped() const;
  // Body copy frames the tap rings had no room for.
  uint64_t tap_frames_dropped() const;
  // Requests refused for a missing or wrong virtual key (each also logged as a warning).
  uint64_t auth_failures() const { return auth_failures_.load(std::memory_order_relaxed); }

 private:
  void run();
  bool drain_once();
  bool drain_shard(size_t shard);
  void consume(size_t shard, RequestRecord& r);

  std::vector<ShardRings> rings_;
  Accountant accountant_;
  RecordSinks sinks_;
  bool hold_;
  std::atomic<uint64_t> consumed_{0};
  std::atomic<uint64_t> auth_failures_{0};
  std::mutex mu_;  // only for the stop signal; shards never take it
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ringgate::telemetry
