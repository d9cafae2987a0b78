#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace ringgate::io {

// Client-side TLS configuration shared by every upstream connection of one shard that uses the same
// (ca_file, verify) pair. SSL_CTX is reference counted and internally locked by OpenSSL; keeping
// one per shard avoids cross-core contention on its session cache and refcount.
class TlsContext {
 public:
  // TLS 1.2+, the system default trust store plus `ca_file` when non-empty, peer verification when
  // `verify` (the default everywhere), ALPN "http/1.1". Returns nullptr and sets `err` on failure.
  static std::unique_ptr<TlsContext> create(const std::string& ca_file, bool verify,
                                            std::string& err);

  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* get() { return ctx_; }
  bool verify() const { return verify_; }

 private:
  TlsContext(SSL_CTX* ctx, bool verify) : ctx_(ctx), verify_(verify) {}

  SSL_CTX* ctx_;
  bool verify_;
};

// The first queued OpenSSL error as text (then clears the thread's error queue), or `fallback`.
std::string take_openssl_error(const char* fallback);

}  // namespace ringgate::io
