#include "cache/semantic_writer.h"

#include <chrono>

namespace ringgate::cache {

SemanticWriter::SemanticWriter(SemanticCache& cache, size_t queue_capacity)
    : cache_(cache), capacity_(queue_capacity), thread_([this] { work(); }) {}

SemanticWriter::~SemanticWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  thread_.join();
}

bool SemanticWriter::push(SemanticInsert insert) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= capacity_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(std::move(insert));
  }
  work_cv_.notify_one();
  return true;
}

void SemanticWriter::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    SemanticInsert job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    const bool ok = cache_.insert(job.ns, job.vector, job.answer_key, job.now_ms);
    (ok ? inserted_ : refused_).fetch_add(1, std::memory_order_relaxed);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

bool SemanticWriter::wait_idle(int timeout_ms) {
  std::unique_lock lock(mutex_);
  return idle_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [this] { return queue_.empty() && !busy_; });
}

SemanticWriterCounters SemanticWriter::counters() const {
  return {inserted_.load(std::memory_order_relaxed), refused_.load(std::memory_order_relaxed),
          dropped_.load(std::memory_order_relaxed)};
}

}  // namespace ringgate::cache
