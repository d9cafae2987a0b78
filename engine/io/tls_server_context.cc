#include "engine/io/tls_server_context.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "engine/io/tls_context.h"

namespace ringgate::io {

namespace {

constexpr unsigned char kSessionIdContext[] = "ringgate";
// TLS 1.2: forward secrecy and AEAD only. TLS 1.3's suites are all AEAD; OpenSSL's default stays.
constexpr char kTls12Ciphers[] = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL";
constexpr char kGroups[] = "X25519:P-256:P-384";

// RFC 7301: a client that offers only protocols we do not speak (h2 alone, say) gets the
// no_application_protocol alert rather than HTTP/1.1 it did not ask for. A client that offers no
// ALPN at all is served HTTP/1.1.
int select_http11(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                  unsigned int inlen, void*) {
  static constexpr unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, outlen, kHttp11, sizeof kHttp11, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

// Never prompts on a terminal for a passphrase: an encrypted key is refused with a clear error.
int no_passphrase(char*, int, int, void*) { return -1; }

std::string describe_certificate(SSL_CTX* ctx) {
  X509* cert = SSL_CTX_get0_certificate(ctx);
  if (cert == nullptr) return "no certificate";
  char subject[256];
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  std::string out = std::string("subject ") + subject;
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      out += std::string(", serial ") + hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  return out;
}

}  // namespace

bool read_private_key_file(const std::string& path, std::string& contents, std::string& err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = "cannot open key_file '" + path + "': " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (!ok) {
    err = "key_file '" + path + "' is not a regular file";
  } else if (st.st_mode & (S_IRWXO | S_IWGRP | S_IXGRP)) {
    // Group read stays allowed (Debian's ssl-cert group convention); anything for other users,
    // or group write, is refused.
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    err = "key_file '" + path + "' has mode " + mode +
          ": other users may read or change the private key; chmod 600 it";
    ok = false;
  }
  contents.clear();
  char buf[4096];
  for (ssize_t n; ok && (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 || contents.size() > (1u << 20)) {
      err = "cannot read key_file '" + path + "'";
      ok = false;
      break;
    }
    contents.append(buf, size_t(n));
  }
  OPENSSL_cleanse(buf, sizeof buf);
  ::close(fd);
  return ok;
}

bool TlsServerContext::load_identity(const TlsServerOptions& o, std::string& err) {
  if (SSL_CTX_use_certificate_chain_file(ctx_, o.cert_file.c_str()) != 1) {
    err = "cannot load cert_file '" + o.cert_file + "': " + take_openssl_error("unknown error");
    return false;
  }
  std::string pem;
  if (!read_private_key_file(o.key_file, pem, err)) return false;
  BIO* bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, no_passphrase, nullptr) : nullptr;
  BIO_free(bio);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (key == nullptr) {
    err = "cannot load key_file '" + o.key_file +
          "' (an unencrypted PEM private key is expected): " + take_openssl_error("no key found");
    return false;
  }
  bool used = SSL_CTX_use_PrivateKey(ctx_, key) == 1;
  EVP_PKEY_free(key);
  if (!used || SSL_CTX_check_private_key(ctx_) != 1) {
    err = "key_file '" + o.key_file + "' does not match cert_file '" + o.cert_file +
          "': " + take_openssl_error("mismatch");
    return false;
  }
  description_ = describe_certificate(ctx_);
  return true;
}

bool TlsServerContext::load_client_ca(const TlsServerOptions& o, std::string& err) {
  if (o.client_ca_file.empty()) return true;
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.client_ca_file.c_str());
  if (names == nullptr ||
      SSL_CTX_load_verify_locations(ctx_, o.client_ca_file.c_str(), nullptr) != 1) {
    sk_X509_NAME_pop_free(names, X509_NAME_free);
    err = "cannot load client_ca_file '" + o.client_ca_file +
          "': " + take_openssl_error("no certificate found");
    return false;
  }
  SSL_CTX_set_client_CA_list(ctx_, names);  // takes ownership
  int mode = SSL_VERIFY_PEER | (o.client_cert_required ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
  SSL_CTX_set_verify(ctx_, mode, nullptr);
  asks_client_certs_ = true;
  return true;
}

std::shared_ptr<TlsServerContext> TlsServerContext::create(const TlsServerOptions& o,
                                                           std::string& err) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    err = "SSL_CTX_new failed: " + take_openssl_error("unknown error");
    return nullptr;
  }
  std::shared_ptr<TlsServerContext> out(new TlsServerContext(ctx));
  bool ok =
      SSL_CTX_set_min_proto_version(ctx, o.tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION) == 1 &&
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) == 1 &&
      SSL_CTX_set1_groups_list(ctx, kGroups) == 1 &&
      SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1) == 1;
  if (!ok) {
    err = "cannot configure TLS: " + take_openssl_error("unknown error");
    return nullptr;
  }
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Idle keep-alive connections then hold no 16 KiB record buffers.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  // Resumption through stateless tickets only: no cache, hence no lock shared by the shards.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 1);
  SSL_CTX_set_alpn_select_cb(ctx, select_http11, nullptr);
  if (!out->load_identity(o, err) || !out->load_client_ca(o, err)) return nullptr;
  return out;
}

TlsServerContext::~TlsServerContext() { SSL_CTX_free(ctx_); }

}  // namespace ringgate::io
