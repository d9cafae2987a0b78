// Advancing a vectored write past what the kernel took: short writes are normal on sockets.
#pragma once

#include <sys/uio.h>

#include <cstddef>

namespace ringgate::io {

// Drops the first `sent` bytes from the vector (iov, iovcnt), in place.
inline void advance_iov(iovec*& iov, int& iovcnt, size_t sent) {
  while (iovcnt > 0 && sent >= iov->iov_len) {
    sent -= iov->iov_len;
    ++iov;
    --iovcnt;
  }
  if (iovcnt > 0) {
    iov->iov_base = static_cast<char*>(iov->iov_base) + sent;
    iov->iov_len -= sent;
  }
}

}  // namespace ringgate::io
