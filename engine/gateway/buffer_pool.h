// Shard-local free list of byte buffers, so a connection holds a receive buffer only while a
// request is in progress and warmed-up shards allocate nothing per request.
#pragma once

#include <string>
#include <vector>

namespace ringgate::gateway {

class BufferPool {
 public:
  // keep_size: buffers come back with their old size (and bytes) instead of empty, for callers
  // that use them as raw read space and would otherwise zero-fill them on every resize.
  explicit BufferPool(size_t initial_capacity, size_t max_pooled = 1024, bool keep_size = false)
      : initial_capacity_(initial_capacity), max_pooled_(max_pooled), keep_size_(keep_size) {}

  // A buffer with at least the initial capacity.
  std::string take() {
    if (free_.empty()) {
      std::string s;
      s.reserve(initial_capacity_);
      return s;
    }
    std::string s = std::move(free_.back());
    free_.pop_back();
    return s;
  }
  // Keeps ordinary-sized buffers; lets a one-off large body's buffer go back to the allocator.
  // Strings below the initial capacity (moved-from or never taken: the library's inline
  // storage) are not buffers from here and are ignored.
  void give(std::string&& s) {
    if (s.capacity() < initial_capacity_) return;
    if (free_.size() >= max_pooled_ || s.capacity() > 16 * initial_capacity_) {
      std::string().swap(s);
      return;
    }
    if (!keep_size_) s.clear();
    free_.push_back(std::move(s));
  }

  size_t pooled() const { return free_.size(); }
  size_t initial_capacity() const { return initial_capacity_; }

 private:
  std::vector<std::string> free_;
  size_t initial_capacity_, max_pooled_;
  bool keep_size_;
};

}  // namespace ringgate::gateway
