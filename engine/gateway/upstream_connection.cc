#include "engine/gateway/upstream_connection.h"

#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/gateway/clock.h"
#include "engine/io/iovec_cursor.h"
#include "engine/io/socket_util.h"

namespace ringgate::gateway {

using io::TlsClientSession;

UpstreamConnection::~UpstreamConnection() { close(); }

void UpstreamConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

io::Task<int> UpstreamConnection::connect(io::Ring& ring, const sockaddr_storage& addr,
                                          socklen_t len, io::TlsContext* tls_ctx,
                                          const std::string& server_name, uint64_t deadline_ms) {
  fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) co_return -errno;
  io::set_tcp_nodelay(fd_);
  auto r = co_await io::async_connect(ring, fd_, reinterpret_cast<const sockaddr*>(&addr), len,
                                      remaining_ms(deadline_ms));
  if (r.res < 0) co_return r.res;
  if (!tls_ctx) co_return 0;
  tls_ = std::make_unique<TlsClientSession>(*tls_ctx, server_name);
  cipher_buf_.reset(new char[kCipherBufSize]);  // not zero-filled: recv writes it first
  for (;;) {
    TlsClientSession::Status st = tls_->handshake();
    int rc = co_await flush_tls(ring, deadline_ms);
    if (rc < 0) co_return rc;
    if (st == TlsClientSession::Status::kOk) co_return 0;
    if (st != TlsClientSession::Status::kWantIo) {
      tls_error_ = tls_->error_message();
      co_return -EPROTO;
    }
    rc = co_await fill_tls(ring, deadline_ms);
    if (rc <= 0) co_return rc == 0 ? -ECONNRESET : rc;
  }
}

io::Task<int> UpstreamConnection::flush_tls(io::Ring& ring, uint64_t deadline_ms) {
  while (!tls_->pending_ciphertext().empty()) {
    std::string_view out = tls_->pending_ciphertext();
    auto r = co_await io::async_send(ring, fd_, out.data(), out.size(), remaining_ms(deadline_ms));
    if (r.res <= 0) co_return r.res == 0 ? -EPIPE : r.res;
    tls_->consume_ciphertext(size_t(r.res));
  }
  co_return 0;
}

io::Task<int> UpstreamConnection::fill_tls(io::Ring& ring, uint64_t deadline_ms) {
  auto r = co_await io::async_recv(ring, fd_, cipher_buf_.get(), kCipherBufSize,
                                    remaining_ms(deadline_ms));
  if (r.res > 0) {
    tls_->feed_ciphertext(std::string_view(cipher_buf_.get(), size_t(r.res)));
  } else if (r.res == 0) {
    tls_->feed_eof();
  }
  co_return r.res;
}

io::Task<int> UpstreamConnection::write_all(io::Ring& ring, iovec* iov, int iovcnt,
                                            uint64_t deadline_ms) {
  if (tls_) {
    for (int i = 0; i < iovcnt; ++i) {
      std::string_view rest(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
      while (!rest.empty()) {
        size_t accepted = 0;
        TlsClientSession::Status st = tls_->write_plain(rest, accepted);
        if (st == TlsClientSession::Status::kError || st == TlsClientSession::Status::kClosed) {
          tls_error_ = tls_->error_message();
          co_return -EPROTO;
        }
        rest.remove_prefix(accepted);
        int rc = co_await flush_tls(ring, deadline_ms);
        if (rc < 0) co_return rc;
      }
    }
    co_return 0;
  }
  msghdr msg{};
  while (iovcnt > 0) {
    msg.msg_iov = iov;
    msg.msg_iovlen = size_t(iovcnt);
    auto r = co_await io::async_sendmsg(ring, fd_, &msg, remaining_ms(deadline_ms));
    if (r.res <= 0) co_return r.res == 0 ? -EPIPE : r.res;
    io::advance_iov(iov, iovcnt, size_t(r.res));
  }
  co_return 0;
}

io::Task<int> UpstreamConnection::read_some(io::Ring& ring, char* buf, size_t cap,
                                            uint64_t deadline_ms) {
  if (!tls_) {
    auto r = co_await io::async_recv(ring, fd_, buf, cap, remaining_ms(deadline_ms));
    co_return r.res;
  }
  bool eof = false;
  for (;;) {
    size_t n = 0;
    TlsClientSession::Status st = tls_->read_plain(buf, cap, n);
    if (st == TlsClientSession::Status::kOk && n > 0) co_return int(n);
    if (st == TlsClientSession::Status::kClosed) co_return 0;
    if (st == TlsClientSession::Status::kError) {
      tls_error_ = tls_->error_message();
      co_return -EPROTO;
    }
    if (eof) co_return -ECONNRESET;  // the session wants bytes the peer will never send
    int rc = co_await flush_tls(ring, deadline_ms);  // key updates may want to write
    if (rc < 0) co_return rc;
    rc = co_await fill_tls(ring, deadline_ms);
    if (rc < 0) co_return rc;
    eof = rc == 0;  // the next read_plain reports kClosed, or kError for a truncated stream
  }
}

bool UpstreamConnection::idle_and_clean() {
  if (fd_ < 0) return false;
  if (tls_) return tls_idle_and_clean();
  char byte;
  ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// TLS may legitimately send records while idle (TLS 1.3 session tickets), so what arrived is
// decrypted: the connection stays clean only if it held no application bytes and no close.
bool UpstreamConnection::tls_idle_and_clean() {
  for (;;) {
    char plain[512];
    size_t got = 0;
    TlsClientSession::Status st = tls_->read_plain(plain, sizeof plain, got);
    if (st != TlsClientSession::Status::kWantIo) return false;  // bytes, close or error
    ssize_t n = ::recv(fd_, cipher_buf_.get(), kCipherBufSize, MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    if (n == 0) return false;
    tls_->feed_ciphertext(std::string_view(cipher_buf_.get(), size_t(n)));
  }
}

}  // namespace ringgate::gateway
