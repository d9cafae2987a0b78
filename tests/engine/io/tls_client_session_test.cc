#include "engine/io/tls_client_session.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace ringgate::io {
namespace {

using Status = TlsClientSession::Status;

constexpr char kHost[] = "upstream.test";

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

Pkey make_key() { return Pkey(EVP_EC_gen("P-256")); }

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `key`, signed by `issuer_key` (self-signed when issuer is null).
Cert make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool is_ca,
               const char* san) {
  static long serial = 1;
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (is_ca) {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth");
  }
  add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (san) add_ext(cert.get(), signer, NID_subject_alt_name, san);
  EXPECT_GT(X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()), 0);
  return cert;
}

int select_http11(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                  unsigned int inlen, void*) {
  static const unsigned char kOurs[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, outlen, kOurs, sizeof(kOurs), in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

// Test PKI, made once: a CA, a server certificate it signed (DNS:upstream.test, IP:127.0.0.1)
// and a self-signed server certificate for the same names.
struct Pki {
  Pkey ca_key, server_key, self_key;
  Cert ca, server, self_signed;
  std::string dir, ca_file;

  Pki() {
    ca_key = make_key();
    server_key = make_key();
    self_key = make_key();
    ca = make_cert(ca_key.get(), "ringgate test CA", nullptr, nullptr, true, nullptr);
    server = make_cert(server_key.get(), kHost, ca.get(), ca_key.get(), false,
                       "DNS:upstream.test,IP:127.0.0.1");
    self_signed = make_cert(self_key.get(), kHost, nullptr, nullptr, false, "DNS:upstream.test");
    std::string tmpl = ::testing::TempDir() + "ringgate-tls-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    dir = mkdtemp(buf.data());
    ca_file = dir + "/ca.pem";
    FILE* f = fopen(ca_file.c_str(), "w");
    PEM_write_X509(f, ca.get());
    fclose(f);
  }
  ~Pki() {
    unlink(ca_file.c_str());
    rmdir(dir.c_str());
  }
};

Pki& pki() {
  static Pki* p = new Pki();
  return *p;
}

// An OpenSSL server on memory BIOs, and the pump that moves ciphertext between it and the client
// at most `chunk` bytes per direction per step, so records arrive split at every offset.
class Loop {
 public:
  Loop(TlsClientSession& client, X509* cert, EVP_PKEY* key, size_t chunk,
       int server_max_version = 0)
      : client_(client), chunk_(chunk) {
    ctx_.reset(SSL_CTX_new(TLS_server_method()));
    SSL_CTX_use_certificate(ctx_.get(), cert);
    SSL_CTX_use_PrivateKey(ctx_.get(), key);
    SSL_CTX_set_alpn_select_cb(ctx_.get(), select_http11, nullptr);
    if (server_max_version) {
      SSL_CTX_set_min_proto_version(ctx_.get(), 0);
      SSL_CTX_set_max_proto_version(ctx_.get(), server_max_version);
      SSL_CTX_set_security_level(ctx_.get(), 0);
    }
    server_.reset(SSL_new(ctx_.get()));
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    SSL_set_bio(server_.get(), in_, out_);
    SSL_set_accept_state(server_.get());
  }

  SSL* server() { return server_.get(); }

  // Moves up to chunk_ bytes each way; returns how many moved.
  size_t move() {
    size_t moved = 0;
    std::string_view pending = client_.pending_ciphertext();
    size_t n = std::min(pending.size(), chunk_);
    if (n > 0) {
      BIO_write(in_, pending.data(), static_cast<int>(n));
      client_.consume_ciphertext(n);
      moved += n;
    }
    std::string buf(std::min<size_t>(chunk_, 1 << 20), '\0');
    int got = BIO_read(out_, buf.data(), static_cast<int>(buf.size()));
    if (got > 0) {
      client_.feed_ciphertext(std::string_view(buf.data(), got));
      moved += got;
    }
    return moved;
  }

  // Runs both handshakes to completion or failure; returns the client's final status.
  Status handshake() {
    Status cs = Status::kWantIo;
    for (int idle = 0; idle < 3;) {
      cs = client_.handshake();
      if (cs == Status::kError) return cs;
      SSL_do_handshake(server_.get());
      size_t moved = move();
      if (cs == Status::kOk && SSL_is_init_finished(server_.get()) && moved == 0 &&
          client_.pending_ciphertext().empty()) {
        return cs;
      }
      idle = moved == 0 ? idle + 1 : 0;
    }
    return cs;
  }

  // Sends `to_server` from the client and `to_client` from the server at the same time, and
  // collects what each side decrypts. Returns false if a side failed or the exchange stalled.
  bool exchange(const std::string& to_server, const std::string& to_client, std::string& server_got,
                std::string& client_got) {
    size_t c_sent = 0, s_sent = 0;
    std::vector<char> buf(64 * 1024);
    for (int idle = 0; idle < 3;) {
      size_t progress = 0;
      if (c_sent < to_server.size()) {
        size_t accepted = 0;
        Status s = client_.write_plain(std::string_view(to_server).substr(c_sent), accepted);
        if (s == Status::kError) return false;
        EXPECT_LE(client_.pending_ciphertext().size(),
                  TlsClientSession::kOutgoingHighWater + 2 * 16384 + 1024);
        c_sent += accepted;
        progress += accepted;
      }
      if (s_sent < to_client.size()) {
        size_t w = 0;
        if (SSL_write_ex(server_.get(), to_client.data() + s_sent,
                         std::min<size_t>(to_client.size() - s_sent, 32 * 1024), &w) == 1) {
          s_sent += w;
          progress += w;
        }
      }
      progress += move();
      for (size_t n = 0; SSL_read_ex(server_.get(), buf.data(), buf.size(), &n) == 1;) {
        server_got.append(buf.data(), n);
        progress += n;
      }
      while (true) {
        size_t n = 0;
        Status s = client_.read_plain(buf.data(), buf.size(), n);
        if (s == Status::kError) return false;
        if (s != Status::kOk) break;
        client_got.append(buf.data(), n);
        progress += n;
      }
      if (server_got.size() == to_server.size() && client_got.size() == to_client.size()) {
        return true;
      }
      idle = progress == 0 ? idle + 1 : 0;
    }
    return false;
  }

 private:
  TlsClientSession& client_;
  size_t chunk_;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  std::unique_ptr<SSL, SslFree> server_;
  BIO* in_ = nullptr;   // owned by server_
  BIO* out_ = nullptr;  // owned by server_
};

std::unique_ptr<TlsContext> make_context(const std::string& ca_file, bool verify) {
  std::string err;
  auto ctx = TlsContext::create(ca_file, verify, err);
  EXPECT_NE(ctx, nullptr) << err;
  return ctx;
}

std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

TEST(TlsClientSessionTest, HandshakeSucceedsWithCaFileAndNegotiatesHttp11) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, kHost);
  EXPECT_FALSE(client.handshake_done());
  Loop loop(client, pki().server.get(), pki().server_key.get(), 1 << 16);
  ASSERT_EQ(loop.handshake(), Status::kOk) << client.error_message();
  EXPECT_TRUE(client.handshake_done());
  EXPECT_EQ(client.alpn_protocol(), "http/1.1");
  EXPECT_GE(SSL_version(loop.server()), TLS1_2_VERSION);
}

TEST(TlsClientSessionTest, SendsServerNameIndication) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, kHost);
  Loop loop(client, pki().server.get(), pki().server_key.get(), 1 << 16);
  ASSERT_EQ(loop.handshake(), Status::kOk) << client.error_message();
  const char* sni = SSL_get_servername(loop.server(), TLSEXT_NAMETYPE_host_name);
  ASSERT_NE(sni, nullptr);
  EXPECT_STREQ(sni, kHost);
}

TEST(TlsClientSessionTest, IpLiteralIsVerifiedAgainstIpSanAndNotSentAsSni) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, "127.0.0.1");
  Loop loop(client, pki().server.get(), pki().server_key.get(), 1 << 16);
  ASSERT_EQ(loop.handshake(), Status::kOk) << client.error_message();
  EXPECT_EQ(SSL_get_servername(loop.server(), TLSEXT_NAMETYPE_host_name), nullptr);
}

TEST(TlsClientSessionTest, IpLiteralNotInCertificateFails) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, "127.0.0.2");
  Loop loop(client, pki().server.get(), pki().server_key.get(), 1 << 16);
  EXPECT_EQ(loop.handshake(), Status::kError);
  EXPECT_NE(client.error_message().find("certificate verify failed"), std::string::npos)
      << client.error_message();
}

TEST(TlsClientSessionTest, VerificationWithoutTheCaFails) {
  auto ctx = make_context("", true);
  TlsClientSession client(*ctx, kHost);
  Loop loop(client, pki().server.get(), pki().server_key.get(), 1 << 16);
  EXPECT_EQ(loop.handshake(), Status::kError);
  EXPECT_EQ(client.error_message(),
            "certificate verify failed: unable to get local issuer certificate");
  EXPECT_FALSE(client.handshake_done());
  // Once failed, the session stays failed.
  size_t accepted = 1;
  EXPECT_EQ(client.write_plain("GET / HTTP/1.1\r\n", accepted), Status::kError);
  EXPECT_EQ(accepted, 0u);
}

TEST(TlsClientSessionTest, SelfSignedServerCertificateFails) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, kHost);
  Loop loop(client, pki().self_signed.get(), pki().self_key.get(), 1 << 16);
  EXPECT_EQ(loop.handshake(), Status::kError);
  EXPECT_EQ(client.error_message(), "certificate verify failed: self-signed certificate");
}

TEST(TlsClientSessionTest, VerificationOffAcceptsUntrustedCertificate) {
  auto ctx = make_context("", false);
  TlsClientSession client(*ctx, kHost);
  Loop loop(client, pki().self_signed.get(), pki().self_key.get(), 1 << 16);
  EXPECT_EQ(loop.handshake(), Status::kOk) << client.error_message();
}

TEST(TlsClientSessionTest, HostnameMismatchFails) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, "other.test");
  Loop loop(client, pki().server.get(), pki().server_key.get(), 1 << 16);
  EXPECT_EQ(loop.handshake(), Status::kError);
  EXPECT_EQ(client.error_message(), "certificate verify failed: hostname mismatch");
}

TEST(TlsClientSessionTest, EmptyServerNameIsRefusedWhenVerifying) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, "");
  EXPECT_EQ(client.handshake(), Status::kError);
  EXPECT_NE(client.error_message().find("server name required"), std::string::npos);
}

TEST(TlsClientSessionTest, MissingCaFileIsAnError) {
  std::string err;
  EXPECT_EQ(TlsContext::create(pki().dir + "/missing.pem", true, err), nullptr);
  EXPECT_NE(err.find("missing.pem"), std::string::npos) << err;
}

TEST(TlsClientSessionTest, Tls12ServerWorksAndOlderIsRefused) {
  auto ctx = make_context(pki().ca_file, true);
  {
    TlsClientSession client(*ctx, kHost);
    Loop loop(client, pki().server.get(), pki().server_key.get(), 1 << 16, TLS1_2_VERSION);
    ASSERT_EQ(loop.handshake(), Status::kOk) << client.error_message();
    EXPECT_EQ(SSL_version(loop.server()), TLS1_2_VERSION);
    std::string server_got, client_got;
    EXPECT_TRUE(loop.exchange("ping", "pong", server_got, client_got));
    EXPECT_EQ(client_got, "pong");
  }
  {
    TlsClientSession client(*ctx, kHost);
    Loop loop(client, pki().server.get(), pki().server_key.get(), 1 << 16, TLS1_1_VERSION);
    EXPECT_EQ(loop.handshake(), Status::kError);
    EXPECT_FALSE(client.error_message().empty());
  }
}

TEST(TlsClientSessionTest, PlainHttpFromServerIsAnError) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, kHost);
  EXPECT_EQ(client.handshake(), Status::kWantIo);
  EXPECT_FALSE(client.pending_ciphertext().empty());  // the ClientHello
  client.feed_ciphertext("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(client.handshake(), Status::kError);
  EXPECT_FALSE(client.error_message().empty());
}

class TlsChunkTest : public ::testing::TestWithParam<size_t> {};

TEST_P(TlsChunkTest, ApplicationDataBothWaysAtAnySplit) {
  const size_t chunk = GetParam();
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, kHost);
  Loop loop(client, pki().server.get(), pki().server_key.get(), chunk);
  ASSERT_EQ(loop.handshake(), Status::kOk) << client.error_message();
  // Larger than one record each way, so records are split and joined.
  std::string request = "POST /v1/chat/completions HTTP/1.1\r\n" + random_bytes(20000, 1);
  std::string response = "HTTP/1.1 200 OK\r\n" + random_bytes(40000, 2);
  std::string server_got, client_got;
  ASSERT_TRUE(loop.exchange(request, response, server_got, client_got)) << client.error_message();
  EXPECT_EQ(server_got, request);
  EXPECT_EQ(client_got, response);
}

INSTANTIATE_TEST_SUITE_P(Splits, TlsChunkTest, ::testing::Values(1, 2, 5, 517, 16389, 1 << 20));

TEST(TlsClientSessionTest, OneMebibyteRoundTripsWithBoundedOutgoingBuffer) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, kHost);
  Loop loop(client, pki().server.get(), pki().server_key.get(), 4093);
  ASSERT_EQ(loop.handshake(), Status::kOk) << client.error_message();
  std::string up = random_bytes(1 << 20, 3), down = random_bytes(1 << 20, 4);
  std::string server_got, client_got;
  ASSERT_TRUE(loop.exchange(up, down, server_got, client_got)) << client.error_message();
  EXPECT_TRUE(server_got == up);
  EXPECT_TRUE(client_got == down);
}

TEST(TlsClientSessionTest, WritePlainStopsAtHighWaterUntilFlushed) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, kHost);
  Loop loop(client, pki().server.get(), pki().server_key.get(), 1 << 16);
  ASSERT_EQ(loop.handshake(), Status::kOk) << client.error_message();
  std::string big = random_bytes(1 << 20, 5);
  size_t accepted = 0;
  ASSERT_EQ(client.write_plain(big, accepted), Status::kOk);
  EXPECT_GT(accepted, 0u);
  EXPECT_LT(accepted, big.size());
  size_t again = 0;
  EXPECT_EQ(client.write_plain(std::string_view(big).substr(accepted), again), Status::kWantIo);
  EXPECT_EQ(again, 0u);
  client.consume_ciphertext(client.pending_ciphertext().size());
  EXPECT_EQ(client.write_plain(std::string_view(big).substr(accepted), again), Status::kOk);
  EXPECT_GT(again, 0u);
}

TEST(TlsClientSessionTest, PeerCloseNotifyReadsAsClosed) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, kHost);
  Loop loop(client, pki().server.get(), pki().server_key.get(), 7);
  ASSERT_EQ(loop.handshake(), Status::kOk) << client.error_message();
  std::string server_got, client_got;
  ASSERT_TRUE(loop.exchange("", "last bytes", server_got, client_got));
  SSL_shutdown(loop.server());
  while (loop.move() > 0) {
  }
  char buf[64];
  size_t n = 0;
  EXPECT_EQ(client.read_plain(buf, sizeof(buf), n), Status::kClosed);
  EXPECT_EQ(n, 0u);
  EXPECT_TRUE(client.peer_closed());
  EXPECT_EQ(client_got, "last bytes");
}

TEST(TlsClientSessionTest, OurCloseNotifyReachesTheServer) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, kHost);
  Loop loop(client, pki().server.get(), pki().server_key.get(), 1 << 16);
  ASSERT_EQ(loop.handshake(), Status::kOk) << client.error_message();
  ASSERT_EQ(client.send_close_notify(), Status::kOk);
  ASSERT_FALSE(client.pending_ciphertext().empty());
  while (loop.move() > 0) {
  }
  char buf[16];
  size_t n = 0;
  EXPECT_EQ(SSL_read_ex(loop.server(), buf, sizeof(buf), &n), 0);
  EXPECT_EQ(SSL_get_error(loop.server(), 0), SSL_ERROR_ZERO_RETURN);
  EXPECT_NE(SSL_get_shutdown(loop.server()) & SSL_RECEIVED_SHUTDOWN, 0);
}

TEST(TlsClientSessionTest, EofWithoutCloseNotifyIsTruncationNotClose) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, kHost);
  Loop loop(client, pki().server.get(), pki().server_key.get(), 1 << 16);
  ASSERT_EQ(loop.handshake(), Status::kOk) << client.error_message();
  std::string server_got, client_got;
  ASSERT_TRUE(loop.exchange("", "partial", server_got, client_got));
  char buf[16];
  size_t n = 0;
  EXPECT_EQ(client.read_plain(buf, sizeof(buf), n), Status::kWantIo);
  client.feed_eof();
  EXPECT_EQ(client.read_plain(buf, sizeof(buf), n), Status::kError);
  EXPECT_FALSE(client.peer_closed());
  EXPECT_NE(client.error_message().find("unexpected eof"), std::string::npos)
      << client.error_message();
}

TEST(TlsClientSessionTest, EofDuringHandshakeIsAnError) {
  auto ctx = make_context(pki().ca_file, true);
  TlsClientSession client(*ctx, kHost);
  EXPECT_EQ(client.handshake(), Status::kWantIo);
  client.feed_eof();
  EXPECT_EQ(client.handshake(), Status::kError);
  EXPECT_FALSE(client.error_message().empty());
}

}  // namespace
}  // namespace ringgate::io
