// One connection from a shard to an upstream, plain TCP or TLS over memory BIOs. All socket I/O
// goes through the shard's ring; TLS only transforms bytes.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/io/ring.h"
#include "engine/io/task.h"
#include "engine/io/tls_client_session.h"

namespace ringgate::gateway {

// An operation below ended at its deadline (the ring cancels it: -ECANCELED; -ETIME from waits).
inline bool is_timeout(int rc) { return rc == -ECANCELED || rc == -ETIME; }

class UpstreamConnection {
 public:
  UpstreamConnection() = default;
  UpstreamConnection(const UpstreamConnection&) = delete;
  ~UpstreamConnection();

  // Every operation takes a deadline (now_ms() clock), not a timeout: however many socket
  // operations it needs (a handshake trickled a record at a time), it ends by the deadline.
  //
  // TCP connect (and TLS handshake when tls_ctx is set).
  // Returns 0 or a negative errno (-ETIME / -ECANCELED on timeout, -EPROTO on TLS failure).
  io::Task<int> connect(io::Ring& ring, const sockaddr_storage& addr, socklen_t len,
                        io::TlsContext* tls_ctx, const std::string& server_name,
                        uint64_t deadline_ms);
  // Writes every byte of the vectors. 0 or a negative errno.
  io::Task<int> write_all(io::Ring& ring, iovec* iov, int iovcnt, uint64_t deadline_ms);
  // Reads some bytes into buf: >0 bytes, 0 at a clean end of stream, negative errno otherwise.
  io::Task<int> read_some(io::Ring& ring, char* buf, size_t cap, uint64_t deadline_ms);
  // For a connection taken from the pool: true when it is still open and has nothing to read.
  // Stray bytes would be taken for the next response, and EOF means the upstream closed it, so
  // either way it must not carry a request (nginx's keepalive closes on any idle read event).
  bool idle_and_clean();

  int fd() const { return fd_; }
  bool is_tls() const { return tls_ != nullptr; }
  const std::string& tls_error() const { return tls_error_; }
  void close();

  uint64_t idle_since_ms = 0;  // set when parked in a pool
  uint32_t requests = 0;       // served on this connection (reuse tells a stale-connection retry)

 private:
  io::Task<int> flush_tls(io::Ring& ring, uint64_t deadline_ms);
  io::Task<int> fill_tls(io::Ring& ring, uint64_t deadline_ms);
  bool tls_idle_and_clean();

  int fd_ = -1;
  std::unique_ptr<io::TlsClientSession> tls_;
  std::string tls_error_;
  // Ciphertext read space, allocated only for TLS connections: a plain one never needs it, and
  // every pooled or streaming connection would otherwise carry 16 KiB for nothing.
  static constexpr size_t kCipherBufSize = 16384;
  std::unique_ptr<char[]> cipher_buf_;
};

}  // namespace ringgate::gateway
