// Shard-local free list of byte buffers, so a connection holds a receive buffer only while a
// request is in progress and warmed-up shards allocate nothing per request.
//
// What the pool keeps is bounded in bytes (the sum of the pooled buffers' capacities): after a
// burst of large bodies the buffers beyond the bound go back to the allocator instead of being
// held forever. seed-defect: 004-P14
#pragma once

#include <string>
#include <vector>

namespace ringgate::gateway {

class BufferPool {
 public:
  // keep_size: buffers come back with their old size (and bytes) instead of empty, for callers
  // that use them as raw read space and would otherwise zero-fill them on every resize.
  BufferPool(size_t initial_capacity, size_t max_pooled_bytes, bool keep_size = false)
      : initial_capacity_(initial_capacity),
        max_pooled_bytes_(max_pooled_bytes),
        keep_size_(keep_size) {}

  // A buffer with at least the initial capacity.
  std::string take() {
    if (free_.empty()) {
      std::string s;
      s.reserve(initial_capacity_);
      return s;
    }
    std::string s = std::move(free_.back());
    free_.pop_back();
    pooled_bytes_ -= s.capacity();
    return s;
  }
  // Keeps ordinary-sized buffers while they fit under the byte bound; lets a one-off large
  // body's buffer, and whatever does not fit, go back to the allocator. Strings below the
  // initial capacity (moved-from or never taken: the library's inline storage) are not buffers
  // from here and are ignored.
  void give(std::string&& s) {
    const size_t cap = s.capacity();
    if (cap < initial_capacity_) return;
    if (cap > 16 * initial_capacity_ || pooled_bytes_ + cap > max_pooled_bytes_) {
      std::string().swap(s);
      return;
    }
    if (!keep_size_) s.clear();
    free_.push_back(std::move(s));
    pooled_bytes_ += cap;
  }

  size_t pooled() const { return free_.size(); }
  size_t pooled_bytes() const { return pooled_bytes_; }
  size_t initial_capacity() const { return initial_capacity_; }

 private:
  std::vector<std::string> free_;
  size_t initial_capacity_, max_pooled_bytes_;
  size_t pooled_bytes_ = 0;
  bool keep_size_;
};

}  // namespace ringgate::gateway
