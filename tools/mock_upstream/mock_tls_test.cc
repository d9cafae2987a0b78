#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tools/mock_upstream/mock_server.h"

namespace ringgate::mock_upstream {
namespace {

// Writes a fresh self-signed certificate for "localhost" and its key into a temp directory.
class SelfSignedCertificate {
 public:
  SelfSignedCertificate() {
    char dir_template[] = "/tmp/mock_tls_testXXXXXX";
    dir_ = mkdtemp(dir_template);
    cert_path_ = dir_ + "/cert.pem";
    key_path_ = dir_ + "/key.pem";
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name,
                                              const_cast<char*>("DNS:localhost"));
    X509_add_ext(cert, san, -1);
    X509_EXTENSION_free(san);
    X509_sign(cert, key, EVP_sha256());
    FILE* f = std::fopen(cert_path_.c_str(), "w");
    PEM_write_X509(f, cert);
    std::fclose(f);
    f = std::fopen(key_path_.c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  ~SelfSignedCertificate() {
    std::remove(cert_path_.c_str());
    std::remove(key_path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& cert_path() const { return cert_path_; }
  const std::string& key_path() const { return key_path_; }

 private:
  std::string dir_;
  std::string cert_path_;
  std::string key_path_;
};

// Sends one request over verified TLS and returns everything until the server closes.
std::string TlsExchange(uint16_t port, const std::string& ca_file, const std::string& request) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string received;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set1_host(ssl, "localhost");
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (SSL_connect(ssl) == 1 && SSL_write(ssl, request.data(), request.size()) > 0) {
      char buffer[4096];
      int n;
      while ((n = SSL_read(ssl, buffer, sizeof(buffer))) > 0) received.append(buffer, n);
    }
    SSL_free(ssl);
  }
  close(fd);
  SSL_CTX_free(ctx);
  return received;
}

TEST(MockTlsTest, ServesStreamsOverVerifiedTls) {
  SelfSignedCertificate certificate;
  MockOptions options;
  options.threads = 1;
  options.tls_cert = certificate.cert_path();
  options.tls_key = certificate.key_path();
  MockServer server(options);
  auto error = server.Start();
  ASSERT_FALSE(error.has_value()) << *error;
  const std::string body = R"({"model":"c","stream":true,"max_tokens":3,"messages":[]})";
  std::string response = TlsExchange(
      server.port(), certificate.cert_path(),
      "POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
  EXPECT_NE(response.find("event: message_stop"), std::string::npos);
  EXPECT_TRUE(response.ends_with("0\r\n\r\n"));
}

TEST(MockTlsTest, RejectsAMissingCertificateFile) {
  MockOptions options;
  options.tls_cert = "/nonexistent/cert.pem";
  options.tls_key = "/nonexistent/key.pem";
  MockServer server(options);
  auto error = server.Start();
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("--tls-cert"), std::string::npos);
}

}  // namespace
}  // namespace ringgate::mock_upstream
