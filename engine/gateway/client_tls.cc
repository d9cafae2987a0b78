// The TLS transport of a client session: the handshake, decrypting what recv_once() fed in, and
// encrypting what the response writer sends. The socket operations stay the ring's; OpenSSL only
// sees memory (io::TlsSession), so a handshake costs the shard its CPU work and nothing more.
#include <cerrno>
#include <cstring>

#include "engine/gateway/client_session.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/shard.h"
#include "engine/io/iovec_cursor.h"

namespace ringgate::gateway {

using TlsStatus = io::TlsSession::Status;

namespace {
// Our close_notify is a courtesy: a client that does not read gets this long, no more.
constexpr uint32_t kCloseNotifyMs = 1000;
// Pieces of one send up to this size are gathered into one record (the maximum plaintext).
constexpr size_t kGatherBytes = 16384;
}  // namespace

io::Task<bool> ClientSession::tls_handshake() {
  // The whole handshake, however its bytes trickle in, within handshake_ms of the accept; the
  // connection counts against max_connections meanwhile, so stalled handshakes stay bounded.
  const uint64_t deadline = now_ms() + shard_.config().server.tls.handshake_ms;
  for (;;) {
    TlsStatus st = tls_->handshake();
    // Sends the server's flight, or the alert that says why the handshake failed.
    bool flushed = co_await flush_tls(remaining_ms(deadline));
    if (st == TlsStatus::kOk) {
      tls_subject_ = tls_->peer_subject();
      rq_.tls_subject = tls_subject_;
      co_return flushed;
    }
    if (st != TlsStatus::kWantIo || !flushed || aborted_ || shard_.draining()) co_return false;
    int res = co_await recv_once(remaining_ms(deadline));
    if (res <= 0) {
      if (res == -ECANCELED || res == -ETIME) shard_.counters().timeouts.add();
      co_return false;
    }
  }
}

TlsStatus ClientSession::decrypt_into_input(size_t& got) {
  // A 16 KiB read holds at most two records' worth; each loop consumes one.
  RawBuffer scratch = shard_.read_buffers().take();
  TlsStatus st = TlsStatus::kOk;
  got = 0;
  while (st == TlsStatus::kOk) {
    size_t n = 0;
    st = tls_->read_plain(scratch.data(), scratch.size(), n);
    if (st == TlsStatus::kOk) append_input(std::string_view(scratch.data(), n));
    got += n;
  }
  shard_.read_buffers().give(std::move(scratch));
  return st;
}

io::Task<int> ClientSession::tls_receive(uint32_t timeout_ms) {
  // Records that arrived with earlier bytes come first: a client's request often shares its
  // segment with the handshake's Finished, and the socket may have nothing more to give.
  size_t got = 0;
  TlsStatus st = TlsStatus::kWantIo;
  if (tls_->buffered_ciphertext() > 0) st = decrypt_into_input(got);
  int res = int(got);
  if (got == 0 && st == TlsStatus::kWantIo) {
    res = co_await recv_once(timeout_ms);
    if (res < 0) co_return res;
    if (res == 0) tls_->feed_eof();
    st = decrypt_into_input(got);
  }
  // Whatever the read produced for the peer (a session ticket, a key update's answer, an alert)
  // goes out now.
  if (!tls_->pending_ciphertext().empty()) {
    if (!co_await flush_tls(write_timeout_ms())) client_gone_ = true;
  }
  if (st == TlsStatus::kError) co_return -EPROTO;
  if (st == TlsStatus::kClosed || res == 0) co_return 0;
  co_return res;
}

io::Task<bool> ClientSession::tls_send(iovec* iov, int iovcnt) {
  // Small pieces (a response head and a short body, an SSE event and its chunk framing) go out
  // as one record rather than a record each: one encryption, one tag, one header.
  size_t total = 0;
  for (int i = 0; i < iovcnt; ++i) total += iov[i].iov_len;
  if (iovcnt < 2 || total > kGatherBytes) co_return co_await encrypt_and_send(iov, iovcnt);
  RawBuffer gathered = shard_.read_buffers().take();
  iovec one{gathered.data(), 0};
  for (int i = 0; i < iovcnt && gathered.size() >= total; ++i) {
    std::memcpy(static_cast<char*>(one.iov_base) + one.iov_len, iov[i].iov_base, iov[i].iov_len);
    one.iov_len += iov[i].iov_len;
  }
  bool ok;
  if (one.iov_len == total) {
    ok = co_await encrypt_and_send(&one, 1);
  } else {  // a pooled buffer smaller than asked for: the pieces one by one
    ok = co_await encrypt_and_send(iov, iovcnt);
  }
  shard_.read_buffers().give(std::move(gathered));
  co_return ok;
}

io::Task<bool> ClientSession::encrypt_and_send(iovec* iov, int iovcnt) {
  // Encrypt as much as the session's outgoing buffer takes, send it, repeat: one socket write per
  // response in the common case, and memory bounded by kOutgoingHighWater whatever the size.
  while (iovcnt > 0) {
    if (iov->iov_len == 0) {
      io::advance_iov(iov, iovcnt, 0);
      continue;
    }
    size_t accepted = 0;
    TlsStatus st = tls_->write_plain(
        std::string_view(static_cast<const char*>(iov->iov_base), iov->iov_len), accepted);
    if (st == TlsStatus::kOk) {
      rq_.progress.bytes_out += accepted;
      io::advance_iov(iov, iovcnt, accepted);
      continue;
    }
    // kWantIo: the buffer is full; anything else: the session cannot carry data any more. (No
    // co_await inside a short-circuit condition: GCC 12 miscompiles it.)
    bool flushed = false;
    if (st == TlsStatus::kWantIo && !tls_->pending_ciphertext().empty()) {
      flushed = co_await flush_tls(write_timeout_ms());
    }
    if (!flushed) {
      client_gone_ = true;
      co_return false;
    }
  }
  if (!co_await flush_tls(write_timeout_ms())) {
    client_gone_ = true;
    co_return false;
  }
  co_return true;
}

io::Task<bool> ClientSession::flush_tls(uint32_t timeout_ms) {
  while (!tls_->pending_ciphertext().empty()) {
    std::string_view out = tls_->pending_ciphertext();
    auto r = co_await io::async_send(shard_.ring(), fd_, out.data(), out.size(), timeout_ms);
    if (r.res <= 0) co_return false;
    tls_->consume_ciphertext(size_t(r.res));
  }
  co_return true;
}

io::Task<void> ClientSession::tls_close() {
  if (!tls_->handshake_done() || client_gone_ || aborted_) co_return;
  if (tls_->send_close_notify() == TlsStatus::kOk) {
    co_await flush_tls(std::min(kCloseNotifyMs, write_timeout_ms()));
  }
}

}  // namespace ringgate::gateway
