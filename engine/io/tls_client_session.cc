#include "engine/io/tls_client_session.h"

#include <arpa/inet.h>
#include <openssl/x509v3.h>

namespace ringgate::io {

namespace {

bool is_ip_literal(const std::string& name) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

}  // namespace

TlsClientSession::TlsClientSession(TlsContext& ctx, const std::string& server_name)
    : TlsSession(ctx.get(), /*server=*/false) {
  if (fatal_) return;
  if (server_name.empty()) {
    if (ctx.verify()) {
      // Verifying a chain without a name would accept any trusted certificate for any host.
      fatal_ = true;
      error_ = "tls: server name required when verifying certificates";
    }
    return;
  }
  bool ok;
  if (is_ip_literal(server_name)) {
    ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), server_name.c_str()) == 1;
  } else {
    SSL_set_hostflags(ssl_, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    ok = SSL_set1_host(ssl_, server_name.c_str()) == 1 &&
         SSL_set_tlsext_host_name(ssl_, server_name.c_str()) == 1;
  }
  if (!ok) {
    fatal_ = true;
    error_ = "tls: invalid server name: " + take_openssl_error("rejected");
  }
}

}  // namespace ringgate::io
