#include "engine/io/tls_context.h"

#include <openssl/err.h>

namespace ringgate::io {

namespace {

// ALPN wire format: length-prefixed protocol names.
constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

}  // namespace

std::string take_openssl_error(const char* fallback) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

std::unique_ptr<TlsContext> TlsContext::create(const std::string& ca_file, bool verify,
                                               std::string& err) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    err = "tls: SSL_CTX_new failed: " + take_openssl_error("unknown error");
    return nullptr;
  }
  std::unique_ptr<TlsContext> out(new TlsContext(ctx, verify));
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    err = "tls: cannot require TLS 1.2: " + take_openssl_error("unknown error");
    return nullptr;
  }
  // Renegotiation is a DoS and downgrade surface an HTTP/1.1 client never needs.
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // Idle pooled connections then hold no 16 KiB record buffers.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    err = "tls: cannot load the system trust store: " + take_openssl_error("unknown error");
    return nullptr;
  }
  if (!ca_file.empty() && SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    err = "tls: cannot load CA file '" + ca_file + "': " + take_openssl_error("unknown error");
    return nullptr;
  }
  SSL_CTX_set_verify(ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  // Unlike most OpenSSL calls, this one returns 0 on success.
  if (SSL_CTX_set_alpn_protos(ctx, kAlpnHttp11, sizeof(kAlpnHttp11)) != 0) {
    err = "tls: cannot set ALPN: " + take_openssl_error("unknown error");
    return nullptr;
  }
  return out;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace ringgate::io
