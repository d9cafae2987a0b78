#include "engine/io/tls_session.h"

#include <openssl/err.h>

#include <algorithm>
#include <cstring>

#include "engine/io/tls_context.h"

namespace ringgate::io {

namespace {

using ByteQueue = TlsSession::ByteQueue;

ByteQueue* queue_of(BIO* bio) { return static_cast<ByteQueue*>(BIO_get_data(bio)); }

int queue_write(BIO* bio, const char* data, size_t len, size_t* written) {
  BIO_clear_retry_flags(bio);
  queue_of(bio)->append(std::string_view(data, len));
  *written = len;
  return 1;
}

int queue_read(BIO* bio, char* out, size_t cap, size_t* read) {
  BIO_clear_retry_flags(bio);
  ByteQueue* q = queue_of(bio);
  if (q->size() == 0) {
    // Without the retry flag OpenSSL treats a 0 read as the transport's end of stream.
    if (!q->eof) BIO_set_retry_read(bio);
    *read = 0;
    return 0;
  }
  *read = q->pop(out, cap);
  return 1;
}

long queue_ctrl(BIO* bio, int cmd, long, void*) {
  ByteQueue* q = queue_of(bio);
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_PENDING:
      return static_cast<long>(q->size());
    case BIO_CTRL_WPENDING:
      return 0;
    case BIO_CTRL_EOF:
      return q->eof && q->size() == 0;
    default:
      return 0;
  }
}

int queue_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

// Our own memory BIO rather than BIO_s_mem: it lets pending_ciphertext() be a view and
// consume_ciphertext() a pointer bump, with no copy out of OpenSSL's buffer.
const BIO_METHOD* queue_bio_method() {
  // Created once per process and intentionally never freed: sessions live until exit.
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ringgate queue");
    BIO_meth_set_write_ex(m, queue_write);
    BIO_meth_set_read_ex(m, queue_read);
    BIO_meth_set_ctrl(m, queue_ctrl);
    BIO_meth_set_create(m, queue_create);
    return m;
  }();
  return method;
}

}  // namespace

void ByteQueue::append(std::string_view data) {
  // Reclaim consumed space before growing, so a steady stream reuses one allocation.
  if (head_ > 0 && head_ >= buf_.size() / 2) {
    buf_.erase(0, head_);
    head_ = 0;
  }
  buf_.append(data);
}

size_t ByteQueue::pop(char* out, size_t cap) {
  size_t n = std::min(cap, size());
  std::memcpy(out, buf_.data() + head_, n);
  consume(n);
  return n;
}

void ByteQueue::consume(size_t n) {
  head_ += std::min(n, size());
  if (head_ == buf_.size()) {
    buf_.clear();
    head_ = 0;
  }
}

TlsSession::TlsSession(SSL_CTX* ctx, bool server) {
  ssl_ = SSL_new(ctx);
  BIO* rbio = ssl_ ? BIO_new(queue_bio_method()) : nullptr;
  BIO* wbio = rbio ? BIO_new(queue_bio_method()) : nullptr;
  if (wbio == nullptr) {
    BIO_free(rbio);
    fatal_ = true;
    error_ = "tls: cannot create session: " + take_openssl_error("out of memory");
    return;
  }
  BIO_set_data(rbio, &in_);
  BIO_set_data(wbio, &out_);
  SSL_set_bio(ssl_, rbio, wbio);
  if (server) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
  }
}

TlsSession::~TlsSession() { SSL_free(ssl_); }

bool TlsSession::handshake_done() const { return ssl_ && SSL_is_init_finished(ssl_); }

void TlsSession::feed_ciphertext(std::string_view data) { in_.append(data); }

void TlsSession::feed_eof() { in_.eof = true; }

std::string_view TlsSession::alpn_protocol() const {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  if (ssl_) SSL_get0_alpn_selected(ssl_, &data, &len);
  return std::string_view(reinterpret_cast<const char*>(data), data ? len : 0);
}

TlsSession::Status TlsSession::fail(int ssl_error, const char* during) {
  fatal_ = true;
  unsigned long code = ERR_peek_error();
  long verify = SSL_get_verify_result(ssl_);
  if (ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED && verify != X509_V_OK) {
    error_ = std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  } else if (code != 0) {
    const char* reason = ERR_reason_error_string(code);
    error_ = std::string("tls ") + during + ": " +
             (reason ? reason : "error " + std::to_string(ERR_GET_REASON(code)));
  } else if (ssl_error == SSL_ERROR_SYSCALL) {
    error_ = std::string("tls ") + during + ": connection closed by peer";
  } else {
    error_ =
        std::string("tls ") + during + ": failed (ssl error " + std::to_string(ssl_error) + ")";
  }
  ERR_clear_error();
  return Status::kError;
}

TlsSession::Status TlsSession::map_result(int ret, const char* during) {
  if (ret > 0) return Status::kOk;
  int e = SSL_get_error(ssl_, ret);
  switch (e) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      return Status::kWantIo;
    case SSL_ERROR_ZERO_RETURN:
      peer_closed_ = true;
      return Status::kClosed;
    default:
      return fail(e, during);
  }
}

TlsSession::Status TlsSession::handshake() {
  if (fatal_) return Status::kError;
  // SSL_get_error reads the thread's error queue, which earlier unrelated calls may have left
  // dirty.
  ERR_clear_error();
  return map_result(SSL_do_handshake(ssl_), "handshake");
}

TlsSession::Status TlsSession::write_plain(std::string_view data, size_t& accepted) {
  accepted = 0;
  if (fatal_) return Status::kError;
  if (peer_closed_) return Status::kClosed;
  while (accepted < data.size() && out_.size() < kOutgoingHighWater) {
    // One maximum-size record at a time keeps the overshoot past the high water bounded.
    size_t chunk = std::min<size_t>(data.size() - accepted, SSL3_RT_MAX_PLAIN_LENGTH);
    size_t written = 0;
    ERR_clear_error();
    Status s = map_result(SSL_write_ex(ssl_, data.data() + accepted, chunk, &written), "write");
    if (s != Status::kOk) return accepted > 0 && s == Status::kWantIo ? Status::kOk : s;
    accepted += written;
  }
  if (accepted == 0 && !data.empty()) return Status::kWantIo;
  return Status::kOk;
}

TlsSession::Status TlsSession::read_plain(char* buf, size_t cap, size_t& n) {
  n = 0;
  if (fatal_) return Status::kError;
  if (peer_closed_) return Status::kClosed;
  ERR_clear_error();
  return map_result(SSL_read_ex(ssl_, buf, cap, &n), "read");
}

TlsSession::Status TlsSession::send_close_notify() {
  if (fatal_) return Status::kError;
  if (!handshake_done()) return Status::kOk;  // nothing to protect yet; just close the socket
  ERR_clear_error();
  int ret = SSL_shutdown(ssl_);
  // 0 means ours is queued and the peer's not yet seen, which is all a client closing needs.
  if (ret >= 0) return Status::kOk;
  return map_result(ret, "shutdown");
}

}  // namespace ringgate::io
