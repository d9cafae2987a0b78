// RemoteEmbedder: the bounded queue, the worker that calls the transport, and the reaper that
// keeps every queued job's deadline while the worker is busy.
#include "cache/remote_embedder.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "cache/embedding_json.h"
#include "cache/hnsw_index.h"

namespace ringgate::cache {

RemoteEmbedder::RemoteEmbedder(RemoteEmbedderOptions options, EmbeddingTransport transport)
    : options_(std::move(options)), transport_(std::move(transport)) {
  name_ = "remote:" + options_.model + ":" + std::to_string(options_.dims);
  worker_ = std::thread([this] { work(); });
  reaper_ = std::thread([this] { reap(); });
}

RemoteEmbedder::~RemoteEmbedder() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  reap_cv_.notify_all();
  worker_.join();
  reaper_.join();
  for (Job& job : queue_) miss(job, refused_);
}

bool RemoteEmbedder::submit(std::string text, int64_t deadline_ms, EmbedCallback callback) {
  deadline_ms = std::min(deadline_ms, steady_now_ms() + options_.timeout_ms);
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= options_.queue_capacity) {
      refused_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(Job{std::move(text), deadline_ms, std::move(callback)});
  }
  work_cv_.notify_one();
  reap_cv_.notify_one();
  return true;
}

void RemoteEmbedder::miss(Job& job, std::atomic<uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);
  job.callback(false, {});
}

void RemoteEmbedder::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    run(job);
    lock.lock();
  }
}

void RemoteEmbedder::run(Job& job) {
  const int64_t left = job.deadline_ms - steady_now_ms();
  if (left <= 0) return miss(job, timeouts_);
  calls_.fetch_add(1, std::memory_order_relaxed);
  const EmbeddingHttpReply reply =
      transport_(embedding_request_body(options_.model, job.text), static_cast<int>(left));
  if (reply.timed_out || steady_now_ms() > job.deadline_ms) {
    last_call_.store(-1, std::memory_order_relaxed);
    return miss(job, timeouts_);
  }
  std::vector<float> vector;
  std::string err;
  if (reply.status < 200 || reply.status > 299 ||
      !parse_embedding_response(reply.body, options_.dims, vector, err) || !normalize(vector)) {
    last_call_.store(-1, std::memory_order_relaxed);
    return miss(job, errors_);
  }
  last_call_.store(1, std::memory_order_relaxed);
  job.callback(true, vector);
}

// Sleeps until the earliest queued deadline (jobs queue in order, but callers' deadlines need
// not be), then answers the expired jobs with a miss outside the lock.
void RemoteEmbedder::reap() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    int64_t earliest = INT64_MAX;
    for (const Job& job : queue_) earliest = std::min(earliest, job.deadline_ms);
    if (earliest == INT64_MAX) {
      reap_cv_.wait(lock);
      continue;
    }
    const int64_t wait = earliest - steady_now_ms();
    if (wait > 0) {
      reap_cv_.wait_for(lock, std::chrono::milliseconds(wait));
      continue;
    }
    std::vector<Job> expired;
    const int64_t now = steady_now_ms();
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (it->deadline_ms <= now) {
        expired.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    lock.unlock();
    for (Job& job : expired) miss(job, timeouts_);
    lock.lock();
  }
}

RemoteEmbedderCounters RemoteEmbedder::counters() const {
  return {calls_.load(std::memory_order_relaxed), errors_.load(std::memory_order_relaxed),
          timeouts_.load(std::memory_order_relaxed), refused_.load(std::memory_order_relaxed),
          last_call_.load(std::memory_order_relaxed)};
}

}  // namespace ringgate::cache
