// SemanticWriter: the semantic cache's one writer thread. A shard that stored an answer hands
// the prompt's vector and the answer's CacheKey here and goes on at once: an HNSW insert costs
// hundreds of microseconds, which a shard must not spend. The queue is bounded; when it is full
// the insertion is dropped and counted (a lost insertion is a later miss, never an error).
// The destructor drops what is still queued and joins the thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "cache/semantic_cache.h"

namespace ringgate::cache {

struct SemanticInsert {
  NamespaceKey ns;
  std::vector<float> vector;  // the cache's dim() floats
  CacheKey answer_key;
  int64_t now_ms = 0;
};

struct SemanticWriterCounters {
  uint64_t inserted = 0;  // taken into the index
  uint64_t refused = 0;   // the cache refused it (full, bad vector)
  uint64_t dropped = 0;   // the queue was full
};

class SemanticWriter {
 public:
  SemanticWriter(SemanticCache& cache, size_t queue_capacity);
  ~SemanticWriter();
  SemanticWriter(const SemanticWriter&) = delete;
  SemanticWriter& operator=(const SemanticWriter&) = delete;

  // Any thread; never blocks on the insert. False (and counted) when the queue is full.
  bool push(SemanticInsert insert);
  SemanticWriterCounters counters() const;
  // Tests and shutdown paths: true once nothing is queued or being inserted, by timeout_ms.
  bool wait_idle(int timeout_ms);

 private:
  void work();

  SemanticCache& cache_;
  size_t capacity_;
  std::mutex mutex_;
  std::condition_variable work_cv_, idle_cv_;
  std::deque<SemanticInsert> queue_;
  bool busy_ = false, stopping_ = false;
  std::atomic<uint64_t> inserted_{0}, refused_{0}, dropped_{0};
  std::thread thread_;
};

}  // namespace ringgate::cache
