// A bounded single-producer single-consumer ring of byte frames: the shard's accounting copy of
// what upstreams sent, carried to the accounting thread. Each frame names the request it
// belongs to (the shard's request sequence), so the streams of a shard's concurrent requests can
// share one ring. Never blocks the shard: a frame that does not fit is dropped whole and counted,
// and the caller marks its request's copy as incomplete.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace ringgate::telemetry {

enum class TapFrame : uint32_t {
  kBegin = 1,  // payload: one byte, the request's UsageShape, then one byte, 1 if streamed
  kBody = 2,   // payload: upstream body bytes, in order
  // payload: the request body the upstream got (after translation or rewrite), whole; after
  // kBegin, before the body frames. For counting usage when the upstream reports none; a body
  // over the frame limit is not copied and such a request's usage stays unknown.
  kRequest = 3,
};

class TapRing {
 public:
  // capacity: bytes, a power of two. A frame larger than a quarter of it is never taken.
  explicit TapRing(size_t capacity) : mask_(capacity - 1), bytes_(new char[capacity]) {}

  // Shard thread only. All of `pieces` in one frame, or nothing (false: dropped and counted).
  bool push(uint64_t request, TapFrame kind, std::span<const std::string_view> pieces) {
    size_t size = 0;
    for (std::string_view p : pieces) size += p.size();
    const uint64_t need = frame_bytes(size);
    const uint64_t head = head_.load(std::memory_order_relaxed);
    if (need > (mask_ + 1) / 4 || head + need - tail_.load(std::memory_order_acquire) > mask_ + 1) {
      dropped_.store(dropped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      return false;
    }
    const Header h{request, uint32_t(kind), uint32_t(size)};
    write(head, &h, sizeof h);
    uint64_t at = head + sizeof h;
    for (std::string_view p : pieces) {
      write(at, p.data(), p.size());
      at += p.size();
    }
    head_.store(head + need, std::memory_order_release);  // publishes the frame
    return true;
  }
  bool push(uint64_t request, TapFrame kind, std::string_view bytes) {
    return push(request, kind, std::span(&bytes, 1));
  }

  // Consumer thread only. Calls f(request, kind, payload) for every frame published so far; the
  // payload view dies when f returns. Returns how many frames it read.
  template <class F>
  size_t drain(F&& f) {
    const uint64_t head = head_.load(std::memory_order_acquire);
    uint64_t tail = tail_.load(std::memory_order_relaxed);
    size_t frames = 0;
    while (tail != head) {
      Header h;
      read(tail, &h, sizeof h);
      f(h.request, TapFrame(h.kind), payload(tail + sizeof h, h.size));
      tail += frame_bytes(h.size);
      ++frames;
    }
    tail_.store(tail, std::memory_order_release);  // frees the frames
    return frames;
  }

  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  size_t capacity() const { return mask_ + 1; }

 private:
  struct Header {
    uint64_t request;
    uint32_t kind, size;
  };
  static uint64_t frame_bytes(size_t payload) { return (sizeof(Header) + payload + 7) & ~7ull; }

  void write(uint64_t at, const void* src, size_t n) {
    const size_t off = at & mask_, first = std::min(n, mask_ + 1 - off);
    std::memcpy(bytes_.get() + off, src, first);
    std::memcpy(bytes_.get(), static_cast<const char*>(src) + first, n - first);
  }
  void read(uint64_t at, void* dst, size_t n) const {
    const size_t off = at & mask_, first = std::min(n, mask_ + 1 - off);
    std::memcpy(dst, bytes_.get() + off, first);
    std::memcpy(static_cast<char*>(dst) + first, bytes_.get(), n - first);
  }
  // A view in place, or a copy when the payload wraps around the end.
  std::string_view payload(uint64_t at, size_t n) {
    const size_t off = at & mask_;
    if (off + n <= mask_ + 1) return {bytes_.get() + off, n};
    wrapped_.resize(n);
    read(at, wrapped_.data(), n);
    return wrapped_;
  }

  const uint64_t mask_;
  std::unique_ptr<char[]> bytes_;
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
  std::atomic<uint64_t> dropped_{0};
  std::string wrapped_;  // consumer only
};

}  // namespace ringgate::telemetry
