#include "engine/io/provided_buffers.h"

#include <sys/mman.h>

#include <cstring>

namespace ringgate::io {

ProvidedBuffers::~ProvidedBuffers() {
  if (br_) {
    io_uring_unregister_buf_ring(ring_, group_);
    munmap(br_, ring_bytes_);
  }
  if (base_) munmap(base_, size_t(count_) * size_);
}

bool ProvidedBuffers::init(io_uring* ring, uint16_t group, unsigned count, unsigned size,
                           std::string& err) {
  ring_ = ring;
  group_ = group;
  count_ = count;
  size_ = size;
  ring_bytes_ = sizeof(io_uring_buf) * count;
  void* r = mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  void* b = mmap(nullptr, size_t(count) * size, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE,
                 -1, 0);
  if (r == MAP_FAILED || b == MAP_FAILED) {
    err = "mmap for provided buffers failed";
    return false;
  }
  br_ = static_cast<io_uring_buf_ring*>(r);
  base_ = static_cast<char*>(b);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(br_);
  reg.ring_entries = count;
  reg.bgid = group;
  int rc = io_uring_register_buf_ring(ring, &reg, 0);
  if (rc != 0) {
    munmap(br_, ring_bytes_);
    br_ = nullptr;
    err = std::string("io_uring_register_buf_ring: ") + std::strerror(-rc);
    return false;
  }
  io_uring_buf_ring_init(br_);
  const int mask = io_uring_buf_ring_mask(count);
  for (unsigned i = 0; i < count; ++i) {
    io_uring_buf_ring_add(br_, base_ + size_t(i) * size, size, i, mask, int(i));
  }
  io_uring_buf_ring_advance(br_, int(count));
  return true;
}

void ProvidedBuffers::recycle(unsigned bid) {
  io_uring_buf_ring_add(br_, base_ + size_t(bid) * size_, size_, bid,
                        io_uring_buf_ring_mask(count_), 0);
  io_uring_buf_ring_advance(br_, 1);
}

}  // namespace ringgate::io
