// The process's one counting thread: prompts the shards want counted (message_start's
// input_tokens on translated streams, /v1/messages/count_tokens toward OpenAI-format upstreams)
// are tokenized here, never on a shard.
//
// Each shard has its own bounded single-producer single-consumer queue of jobs, so a shard
// never takes a lock: submit() writes a slot and publishes it with one release store, or
// returns false when the queue is full (the caller then uses its estimate). The worker sleeps on
// an atomic counter (a futex); a submit bumps it and notifies, which is a syscall only while the
// worker sleeps, and never waits. The worker drains every queue round-robin, one job at a time.
//
// RINGGATE_TEST_HOLD_COUNT_WORKER=1 (hold = true): the worker takes no job, so tests can see the
// fallback paths; jobs then pile up to each queue's bound and submit() refuses the rest.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include "engine/telemetry/count_job.h"
#include "providers/tokenizer/tokenizer_set.h"

namespace ringgate::telemetry {

class CountWorker {
 public:
  static constexpr size_t kQueueSlots = 256;  // per shard: jobs submitted, not yet taken

  CountWorker(size_t shards, std::shared_ptr<const providers::tokenizer::TokenizerSet> tokenizers,
              bool hold);
  ~CountWorker();
  CountWorker(const CountWorker&) = delete;

  // Shard `shard`'s thread only. False: the queue is full (or stopping); the job is not taken.
  bool submit(size_t shard, std::shared_ptr<CountJob> job);
  // Ends the thread; jobs not taken stay pending (their holders fall back).
  void stop();

 private:
  struct Queue {
    std::unique_ptr<std::shared_ptr<CountJob>[]> slots {
      new std::shared_ptr<CountJob>[ kQueueSlots ]
    };
    alignas(64) std::atomic<uint64_t> head{0};  // written by the shard
    alignas(64) std::atomic<uint64_t> tail{0};  // written by the worker
  };

  void run();
  bool take_one(Queue& q, std::shared_ptr<CountJob>& out);

  std::vector<std::unique_ptr<Queue>> queues_;
  std::shared_ptr<const providers::tokenizer::TokenizerSet> tokenizers_;
  const bool hold_;
  std::atomic<uint32_t> signal_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace ringgate::telemetry
