// Shard-local free list of byte buffers, so a connection holds a receive buffer only while a
// request is in progress and warmed-up shards allocate nothing per request.
//
// What the pool keeps is bounded in bytes (the sum of the pooled buffers' capacities): after a
// burst of large bodies the buffers beyond the bound go back to the allocator instead of being
// held forever. seed-defect: 004-P14
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ringgate::gateway {

class BufferPool {
 public:
  BufferPool(size_t initial_capacity, size_t max_pooled_bytes)
      : initial_capacity_(initial_capacity), max_pooled_bytes_(max_pooled_bytes) {}

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
    s.clear();
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
};

// Read space whose bytes are left uninitialised: only the pages something writes (the kernel,
// for a read) become resident. A std::string resized to the same size zero-fills, and so makes
// resident, all of it.
class RawBuffer {
 public:
  RawBuffer() = default;
  explicit RawBuffer(size_t n) : p_(new char[n]), size_(n) {}
  // A moved-from buffer is empty (size 0), so a pool never takes it for one of its own.
  RawBuffer(RawBuffer&& o) noexcept : p_(std::move(o.p_)), size_(std::exchange(o.size_, 0)) {}
  RawBuffer& operator=(RawBuffer&& o) noexcept {
    p_ = std::move(o.p_);
    size_ = std::exchange(o.size_, 0);
    return *this;
  }

  char* data() { return p_.get(); }
  const char* data() const { return p_.get(); }
  size_t size() const { return size_; }
  // Grows to n bytes, keeping the first `keep` (the rest again uninitialised).
  void grow(size_t n, size_t keep) {
    std::unique_ptr<char[]> q(new char[n]);
    if (keep) std::memcpy(q.get(), p_.get(), keep);
    p_ = std::move(q);
    size_ = n;
  }

 private:
  std::unique_ptr<char[]> p_;
  size_t size_ = 0;
};

// BufferPool's rule for RawBuffers: at least `size` bytes each, bounded in bytes, a one-off
// buffer more than 16 times that size goes back to the allocator.
class RawBufferPool {
 public:
  RawBufferPool(size_t size, size_t max_pooled_bytes)
      : size_(size), max_pooled_bytes_(max_pooled_bytes) {}

  RawBuffer take() {
    if (free_.empty()) return RawBuffer(size_);
    RawBuffer b = std::move(free_.back());
    free_.pop_back();
    pooled_bytes_ -= b.size();
    return b;
  }
  void give(RawBuffer&& b) {
    const size_t n = b.size();
    if (n < size_ || n > 16 * size_ || pooled_bytes_ + n > max_pooled_bytes_) {
      b = RawBuffer();  // moved-from, a one-off large one, or over the bound
      return;
    }
    free_.push_back(std::move(b));
    pooled_bytes_ += n;
  }

  size_t pooled() const { return free_.size(); }
  size_t pooled_bytes() const { return pooled_bytes_; }
  size_t size() const { return size_; }

 private:
  std::vector<RawBuffer> free_;
  size_t size_, max_pooled_bytes_;
  size_t pooled_bytes_ = 0;
};

}  // namespace ringgate::gateway
