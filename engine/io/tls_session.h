#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace ringgate::io {

// One TLS connection whose transport is two in-memory byte queues, so the shard's io_uring loop
// owns every socket operation: it feeds received ciphertext in, and sends what
// pending_ciphertext() shows. Nothing here touches a socket or blocks. TlsClientSession (upstream
// side) and TlsServerSession (client listener side) only differ in how they start.
//
// Driving it:
//   - handshake() until kOk; after every call (and after every write_plain/read_plain), send
//     pending_ciphertext() and consume_ciphertext() what the socket took. kWantIo means "send what
//     is pending, then feed more ciphertext".
//   - feed_eof() when the socket reports end of stream: a peer that closes without close_notify
//     then surfaces as kError (a truncated message is never mistaken for a complete one).
//
// The session is pinned in memory (its BIOs point at its own buffers): hold it by unique_ptr or in
// place inside a connection object.
class TlsSession {
 public:
  enum class Status { kOk, kWantIo, kClosed, kError };

  // Above this much unsent ciphertext write_plain stops accepting, so a slow socket pushes back on
  // the writer instead of growing memory.
  static constexpr size_t kOutgoingHighWater = 128 * 1024;

  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  Status handshake();
  bool handshake_done() const;

  // Ciphertext from the socket -> session. Copied, so the caller may recycle its buffer at once.
  void feed_ciphertext(std::string_view data);
  // The socket reached end of stream.
  void feed_eof();
  // Received ciphertext not yet decrypted; lets the caller stop reading the socket when it is high.
  size_t buffered_ciphertext() const { return in_.size(); }

  // Ciphertext waiting to be sent; valid until the next call on this session.
  std::string_view pending_ciphertext() const { return out_.view(); }
  void consume_ciphertext(size_t n) { out_.consume(n); }

  // Encrypts a prefix of `data` into the outgoing buffer. kOk with 0 < accepted <= size (call again
  // with the rest after flushing), kWantIo with accepted == 0 when the outgoing buffer is full or
  // the handshake needs I/O first. Performs the handshake implicitly if it is not done yet.
  Status write_plain(std::string_view data, size_t& accepted);
  // Decrypts up to `cap` bytes. kWantIo when more ciphertext is needed, kClosed once the peer sent
  // close_notify.
  Status read_plain(char* buf, size_t cap, size_t& n);

  // Queues our close_notify (send it, then close the socket); no need to wait for the peer's.
  Status send_close_notify();

  bool peer_closed() const { return peer_closed_; }
  // The ALPN protocol chosen in the handshake, empty when none was.
  std::string_view alpn_protocol() const;
  // Why the last kError happened, e.g. "certificate verify failed: self-signed certificate".
  // Never contains application data.
  std::string error_message() const { return error_; }

  // A FIFO of bytes with an amortised O(1) front pop and no per-op allocation once warmed.
  class ByteQueue {
   public:
    void append(std::string_view data);
    std::string_view view() const { return std::string_view(buf_).substr(head_); }
    size_t size() const { return buf_.size() - head_; }
    size_t pop(char* out, size_t cap);
    void consume(size_t n);
    bool eof = false;

   private:
    std::string buf_;
    size_t head_ = 0;
  };

 protected:
  // A session on `ctx` (reference counted by OpenSSL), in the client or the server role.
  TlsSession(SSL_CTX* ctx, bool server);
  Status fail(int ssl_error, const char* during);
  Status map_result(int ret, const char* during);

  SSL* ssl_ = nullptr;
  bool fatal_ = false;
  std::string error_;

 private:
  ByteQueue in_;
  ByteQueue out_;
  bool peer_closed_ = false;
};

}  // namespace ringgate::io
