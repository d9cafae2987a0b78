// RemoteEmbedder: an asynchronous Embedder (cache/embedder.h) over an OpenAI-compatible
// POST {base}/v1/embeddings, with a HARD deadline per call (seed-defect 000-H3).
//
// submit() never blocks: it puts the text on a bounded queue (full: refused, a miss) and
// returns. A worker thread takes jobs in order and calls the transport with the time left
// before the job's deadline; the transport (engine/telemetry/embedding_transport.h: sockets
// waited on with poll) gives up by then. A reaper thread answers every queued job whose deadline
// passes while the worker is busy with another, so a stalled server delays no caller beyond its
// own deadline (plus scheduling slack). Late, failed, non-2xx or unparsable answers are misses
// through the callback, never errors. Each callback runs exactly once, on the worker or the
// reaper thread; it must be short (the engine posts a wake to its shard).
//
// The deadline is the earlier of the caller's and now + timeout_ms. Counters (calls, errors,
// timeouts, refused) are atomics for metrics and /readyz. The destructor answers what is still
// queued with a miss and joins both threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "cache/embedder.h"

namespace ringgate::cache {

struct EmbeddingHttpReply {
  int status = 0;          // 0: no answer (refused, reset, timed out)
  bool timed_out = false;  // the transport hit the deadline
  std::string body;
};

// One blocking POST of the JSON body, giving up after timeout_ms. Called on the worker only.
using EmbeddingTransport =
    std::function<EmbeddingHttpReply(std::string_view json_body, int timeout_ms)>;

struct RemoteEmbedderOptions {
  std::string model;            // sent as "model"; also part of name()
  size_t dims = 0;              // the answer must have exactly this many
  int timeout_ms = 50;          // per call, queueing included
  size_t queue_capacity = 256;  // waiting jobs; more are refused
};

struct RemoteEmbedderCounters {
  uint64_t calls = 0;     // transport calls made
  uint64_t errors = 0;    // failed, non-2xx or unparsable answers
  uint64_t timeouts = 0;  // deadlines passed, in the queue or in the call
  uint64_t refused = 0;   // queue full or stopped
  // The last transport call: 0 none yet, 1 answered with a vector, -1 failed or late (down).
  int last_call = 0;
};

class RemoteEmbedder final : public Embedder {
 public:
  RemoteEmbedder(RemoteEmbedderOptions options, EmbeddingTransport transport);
  ~RemoteEmbedder() override;
  RemoteEmbedder(const RemoteEmbedder&) = delete;
  RemoteEmbedder& operator=(const RemoteEmbedder&) = delete;

  size_t dim() const override { return options_.dims; }
  const std::string& name() const override { return name_; }  // "remote:<model>:<dims>"
  bool inline_embedder() const override { return false; }
  bool embed_now(std::string_view, std::span<float>) override { return false; }
  bool submit(std::string text, int64_t deadline_ms, EmbedCallback callback) override;

  RemoteEmbedderCounters counters() const;

 private:
  struct Job {
    std::string text;
    int64_t deadline_ms;
    EmbedCallback callback;
  };
  void work();
  void reap();
  void run(Job& job);
  void miss(Job& job, std::atomic<uint64_t>& counter);

  RemoteEmbedderOptions options_;
  EmbeddingTransport transport_;
  std::string name_;
  std::mutex mutex_;
  std::condition_variable work_cv_, reap_cv_;
  std::deque<Job> queue_;  // submission order
  bool stopping_ = false;
  std::atomic<uint64_t> calls_{0}, errors_{0}, timeouts_{0}, refused_{0};
  std::atomic<int> last_call_{0};
  std::thread worker_, reaper_;
};

}  // namespace ringgate::cache
