#include "engine/io/tls_server_session.h"

#include <openssl/x509.h>

namespace ringgate::io {

TlsServerSession::TlsServerSession(TlsServerContext& ctx)
    : TlsSession(ctx.get(), /*server=*/true) {}

std::string TlsServerSession::peer_subject() const {
  if (!handshake_done() || SSL_get_verify_result(ssl_) != X509_V_OK) return {};
  X509* cert = SSL_get0_peer_certificate(ssl_);
  if (cert == nullptr) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, size_t(len > 0 ? len : 0));
  BIO_free(bio);
  return out;
}

}  // namespace ringgate::io
