// A ring of provided buffers (IORING_REGISTER_PBUF_RING): receives pick a buffer when data
// arrives, so thousands of idle keep-alive connections hold no receive memory at all.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::io {

class ProvidedBuffers {
 public:
  ProvidedBuffers() = default;
  ProvidedBuffers(const ProvidedBuffers&) = delete;
  ~ProvidedBuffers();

  // count must be a power of two.
  bool init(io_uring* ring, uint16_t group, unsigned count, unsigned size, std::string& err);
  uint16_t group() const { return group_; }
  // The bytes a completion delivered into buffer `bid`.
  std::string_view data(unsigned bid, unsigned len) const {
    return {base_ + size_t(bid) * size_, len};
  }
  // Gives buffer `bid` back to the kernel once its bytes were consumed.
  void recycle(unsigned bid);

 private:
  io_uring* ring_ = nullptr;
  io_uring_buf_ring* br_ = nullptr;
  char* base_ = nullptr;
  size_t ring_bytes_ = 0;
  unsigned count_ = 0, size_ = 0;
  uint16_t group_ = 0;
};

}  // namespace ringgate::io
