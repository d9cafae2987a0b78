// Random bytes as what a client sends a TLS listener: the server session must refuse or wait,
// never crash, whatever the records, their splits across reads, or an early end of stream.
// Input: first byte = chunk size of the feeds (1-256), the rest = the client's bytes.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "engine/io/tls_server_context.h"
#include "engine/io/tls_server_session.h"

namespace {

using ringgate::io::TlsServerContext;
using ringgate::io::TlsServerSession;
using Status = ringgate::io::TlsSession::Status;

// A self-signed P-256 certificate and its key, written once (mode 0600) for the context to load.
std::shared_ptr<TlsServerContext> make_context() {
  char dir_tmpl[] = "/tmp/ringgate-fuzz-tls-XXXXXX";
  std::string dir = mkdtemp(dir_tmpl);
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("fuzz"), -1, -1, 0);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  X509_sign(cert, key, EVP_sha256());
  ringgate::io::TlsServerOptions o;
  o.cert_file = dir + "/cert.pem";
  o.key_file = dir + "/key.pem";
  FILE* c = std::fopen(o.cert_file.c_str(), "w");
  PEM_write_X509(c, cert);
  std::fclose(c);
  FILE* k = std::fopen(o.key_file.c_str(), "w");
  chmod(o.key_file.c_str(), 0600);
  PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(k);
  X509_free(cert);
  EVP_PKEY_free(key);
  std::string err;
  auto ctx = TlsServerContext::create(o, err);
  if (!ctx) {
    std::fprintf(stderr, "fuzz_tls_server_handshake: %s\n", err.c_str());
    std::abort();
  }
  unlink(o.cert_file.c_str());
  unlink(o.key_file.c_str());
  rmdir(dir.c_str());
  return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::shared_ptr<TlsServerContext> ctx = make_context();
  if (size == 0) return 0;
  const size_t chunk = size_t(data[0]) + 1;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  TlsServerSession s(*ctx);
  Status st = Status::kWantIo;
  for (size_t at = 0; at < in.size() && st == Status::kWantIo; at += chunk) {
    s.feed_ciphertext(in.substr(at, chunk));
    st = s.handshake();
    s.consume_ciphertext(s.pending_ciphertext().size());  // what the socket would send
  }
  if (st == Status::kOk) {
    char buf[512];
    size_t n = 0;
    while (s.read_plain(buf, sizeof buf, n) == Status::kOk) {
    }
  }
  s.feed_eof();
  if (st == Status::kWantIo) s.handshake();
  return 0;
}
