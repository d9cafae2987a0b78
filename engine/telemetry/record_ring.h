// A bounded single-producer single-consumer ring of request records: the shard pushes, the
// accounting thread pops. Never blocks the shard: when the ring is full the record is dropped and
// counted (the loss is visible, never hidden).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/telemetry/request_record.h"

namespace ringgate::telemetry {

class RecordRing {
 public:
  // capacity: a power of two.
  explicit RecordRing(size_t capacity) : mask_(capacity - 1), slots_(new RequestRecord[capacity]) {}

  // Shard thread only. Moves the record in, or leaves it untouched when the ring is full.
  bool push(RequestRecord&& r) {
    const uint64_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_.load(std::memory_order_acquire) > mask_) {
      dropped_.store(dropped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      return false;
    }
    slots_[head & mask_] = std::move(r);
    head_.store(head + 1, std::memory_order_release);  // publishes the slot
    return true;
  }

  // Consumer thread only. How many records are ready to pop.
  size_t ready() const {
    return size_t(head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_relaxed));
  }
  // Consumer thread only.
  bool pop(RequestRecord& out) {
    const uint64_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_.load(std::memory_order_acquire)) return false;
    out = std::move(slots_[tail & mask_]);
    tail_.store(tail + 1, std::memory_order_release);  // frees the slot
    return true;
  }

  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  size_t capacity() const { return mask_ + 1; }

 private:
  const uint64_t mask_;
  std::unique_ptr<RequestRecord[]> slots_;
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace ringgate::telemetry
