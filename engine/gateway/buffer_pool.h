// Shard-local free list of byte buffers, so a connection holds a receive buffer only while a
// request is in progress and warmed-up shards allocate nothing per request.
#pragma once

#include <string>
#include <vector>

namespace ringgate::gateway {

class BufferPool {
 public:
  explicit BufferPool(size_t initial_capacity, size_t max_pooled = 1024)
      : initial_capacity_(initial_capacity), max_pooled_(max_pooled) {}

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
  void give(std::string&& s) {
    if (s.capacity() == 0) return;
    if (free_.size() >= max_pooled_ || s.capacity() > 16 * initial_capacity_) {
      std::string().swap(s);
      return;
    }
    s.clear();
    free_.push_back(std::move(s));
  }

 private:
  std::vector<std::string> free_;
  size_t initial_capacity_, max_pooled_;
};

}  // namespace ringgate::gateway
