#include "engine/telemetry/count_worker.h"

#include "providers/usage/usage_counter.h"

namespace ringgate::telemetry {

CountWorker::CountWorker(size_t shards,
                         std::shared_ptr<const providers::tokenizer::TokenizerSet> tokenizers,
                         bool hold)
    : tokenizers_(std::move(tokenizers)), hold_(hold) {
  for (size_t i = 0; i < shards; ++i) queues_.push_back(std::make_unique<Queue>());
  thread_ = std::thread([this] { run(); });
}

CountWorker::~CountWorker() { stop(); }

void CountWorker::stop() {
  stopping_.store(true, std::memory_order_release);
  signal_.fetch_add(1, std::memory_order_release);
  signal_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool CountWorker::submit(size_t shard, std::shared_ptr<CountJob> job) {
  if (shard >= queues_.size() || stopping_.load(std::memory_order_relaxed)) return false;
  Queue& q = *queues_[shard];
  const uint64_t head = q.head.load(std::memory_order_relaxed);
  if (head - q.tail.load(std::memory_order_acquire) >= kQueueSlots) return false;
  q.slots[head % kQueueSlots] = std::move(job);  // the worker emptied this slot before freeing it
  q.head.store(head + 1, std::memory_order_release);
  signal_.fetch_add(1, std::memory_order_release);
  signal_.notify_one();
  return true;
}

bool CountWorker::take_one(Queue& q, std::shared_ptr<CountJob>& out) {
  const uint64_t tail = q.tail.load(std::memory_order_relaxed);
  if (tail == q.head.load(std::memory_order_acquire)) return false;
  out = std::move(q.slots[tail % kQueueSlots]);
  q.tail.store(tail + 1, std::memory_order_release);
  return true;
}

void CountWorker::run() {
  providers::UsageCounter counter(tokenizers_);
  std::shared_ptr<CountJob> job;
  while (!stopping_.load(std::memory_order_acquire)) {
    // Read before looking at the queues: a submit after the look changes it, so wait() returns.
    const uint32_t seen = signal_.load(std::memory_order_acquire);
    bool took = false;
    for (size_t i = 0; !hold_ && i < queues_.size(); ++i) {
      if (!take_one(*queues_[i], job)) continue;
      took = true;
      const std::optional<int64_t> n = counter.count_prompt(job->shape, job->body, job->model);
      job->tokens.store(n ? *n : CountJob::kFailed, std::memory_order_release);
      job.reset();
    }
    if (!took) signal_.wait(seen, std::memory_order_acquire);
  }
}

}  // namespace ringgate::telemetry
