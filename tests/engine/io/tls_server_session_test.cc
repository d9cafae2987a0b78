#include "engine/io/tls_server_session.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include "engine/io/tls_client_session.h"
#include "engine/io/tls_context.h"

namespace ringgate::io {
namespace {

using Status = TlsSession::Status;

// A CA, a server certificate for 127.0.0.1 and a client certificate (CN=svc-a), made once with the
// openssl command line in a temporary directory.
class Pki {
 public:
  Pki() {
    char tmpl[] = "/tmp/ringgate-tls-server-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string script = "cd " + dir_ +
                         " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
                         " -days 2 -subj /CN=test-ca -keyout ca.key -out ca.pem"
                         " -addext basicConstraints=critical,CA:TRUE 2>/dev/null"
                         " && printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext" +
                         leaf("server", "/CN=127.0.0.1", "-extfile san.ext") +
                         leaf("client", "/CN=svc-a", "") + " && chmod 600 server.key client.key";
    ok_ = std::system(script.c_str()) == 0;
  }
  ~Pki() { std::system(("rm -rf " + dir_).c_str()); }
  bool ok() const { return ok_; }
  std::string path(const char* name) const { return dir_ + "/" + name; }

 private:
  static std::string leaf(const char* name, const char* subject, const char* ext) {
    std::string n(name);
    return " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj " +
           std::string(subject) + " -keyout " + n + ".key -out " + n + ".csr 2>/dev/null" +
           " && openssl x509 -req -in " + n + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial" +
           " -days 2 " + ext + " -out " + n + ".pem 2>/dev/null";
  }
  std::string dir_;
  bool ok_ = false;
};

const Pki& pki() {
  static Pki p;
  return p;
}

TlsServerOptions server_options() {
  TlsServerOptions o;
  o.cert_file = pki().path("server.pem");
  o.key_file = pki().path("server.key");
  return o;
}

std::shared_ptr<TlsServerContext> server_ctx(const TlsServerOptions& o) {
  std::string err;
  auto ctx = TlsServerContext::create(o, err);
  EXPECT_NE(ctx, nullptr) << err;
  return ctx;
}

std::unique_ptr<TlsContext> client_ctx() {
  std::string err;
  auto ctx = TlsContext::create(pki().path("ca.pem"), true, err);
  EXPECT_NE(ctx, nullptr) << err;
  return ctx;
}

// Moves every pending byte one way, `chunk` bytes per feed.
void move(TlsSession& from, TlsSession& to, size_t chunk) {
  std::string_view out = from.pending_ciphertext();
  for (size_t at = 0; at < out.size(); at += chunk) to.feed_ciphertext(out.substr(at, chunk));
  from.consume_ciphertext(out.size());
}

// Runs both handshakes to their end (bounded); true when both finished.
bool handshake(TlsClientSession& c, TlsServerSession& s, size_t chunk = 1 << 20) {
  for (int round = 0; round < 1000; ++round) {
    Status cs = c.handshake_done() ? Status::kOk : c.handshake();
    move(c, s, chunk);
    Status ss = s.handshake_done() ? Status::kOk : s.handshake();
    move(s, c, chunk);
    if (cs == Status::kError || ss == Status::kError) return false;
    if (c.handshake_done() && s.handshake_done()) return true;
  }
  return false;
}

std::string read_all(TlsSession& s) {
  std::string out;
  char buf[4096];
  size_t n = 0;
  while (s.read_plain(buf, sizeof buf, n) == Status::kOk) out.append(buf, n);
  return out;
}

TEST(TlsServerSessionTest, HandshakeWithTheUpstreamClientNegotiatesHttp11AndCarriesData) {
  ASSERT_TRUE(pki().ok());
  auto sctx = server_ctx(server_options());
  auto cctx = client_ctx();
  TlsClientSession c(*cctx, "127.0.0.1");
  TlsServerSession s(*sctx);
  ASSERT_TRUE(handshake(c, s)) << c.error_message() << " / " << s.error_message();
  EXPECT_EQ(s.alpn_protocol(), "http/1.1");
  EXPECT_EQ(s.peer_subject(), "");  // no client certificate asked for
  size_t accepted = 0;
  ASSERT_EQ(c.write_plain("GET / HTTP/1.1\r\n\r\n", accepted), Status::kOk);
  move(c, s, 7);
  EXPECT_EQ(read_all(s), "GET / HTTP/1.1\r\n\r\n");
  ASSERT_EQ(s.write_plain("HTTP/1.1 200 OK\r\n\r\n", accepted), Status::kOk);
  move(s, c, 3);
  EXPECT_EQ(read_all(c), "HTTP/1.1 200 OK\r\n\r\n");
}

TEST(TlsServerSessionTest, ClientHelloFedOneByteAtATimeStillCompletes) {
  ASSERT_TRUE(pki().ok());
  auto sctx = server_ctx(server_options());
  auto cctx = client_ctx();
  TlsClientSession c(*cctx, "127.0.0.1");
  TlsServerSession s(*sctx);
  EXPECT_TRUE(handshake(c, s, 1)) << s.error_message();
}

TEST(TlsServerSessionTest, PeerCloseNotifyReadsAsClosed) {
  ASSERT_TRUE(pki().ok());
  auto sctx = server_ctx(server_options());
  auto cctx = client_ctx();
  TlsClientSession c(*cctx, "127.0.0.1");
  TlsServerSession s(*sctx);
  ASSERT_TRUE(handshake(c, s));
  ASSERT_EQ(c.send_close_notify(), Status::kOk);
  move(c, s, 1 << 20);
  char buf[64];
  size_t n = 0;
  EXPECT_EQ(s.read_plain(buf, sizeof buf, n), Status::kClosed);
  EXPECT_TRUE(s.peer_closed());
}

TEST(TlsServerSessionTest, EofWithoutCloseNotifyIsAnError) {
  ASSERT_TRUE(pki().ok());
  auto sctx = server_ctx(server_options());
  TlsServerSession s(*sctx);
  s.feed_ciphertext(std::string("\x16\x03\x01\x00", 4));
  s.feed_eof();
  EXPECT_EQ(s.handshake(), Status::kError);
}

TEST(TlsServerSessionTest, GarbageClientHelloIsAnErrorNotACrash) {
  ASSERT_TRUE(pki().ok());
  auto sctx = server_ctx(server_options());
  {
    TlsServerSession s(*sctx);
    s.feed_ciphertext("GET / HTTP/1.1\r\nHost: x\r\n\r\n");  // plain HTTP on the TLS port
    EXPECT_EQ(s.handshake(), Status::kError);
    EXPECT_FALSE(s.error_message().empty());
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    TlsServerSession s(*sctx);
    std::string junk(1 + rng() % 600, '\0');
    for (char& ch : junk) ch = char(rng());
    if (i % 2) junk.replace(0, 3, "\x16\x03\x01", 3);  // a handshake record header, then junk
    s.feed_ciphertext(junk);
    Status st = s.handshake();
    EXPECT_TRUE(st == Status::kError || st == Status::kWantIo);
  }
}

TEST(TlsServerSessionTest, ClientOfferingOnlyH2IsRefused) {
  ASSERT_TRUE(pki().ok());
  auto sctx = server_ctx(server_options());
  auto cctx = client_ctx();
  static const unsigned char kH2[] = {2, 'h', '2'};
  ASSERT_EQ(SSL_CTX_set_alpn_protos(cctx->get(), kH2, sizeof kH2), 0);
  TlsClientSession c(*cctx, "127.0.0.1");
  TlsServerSession s(*sctx);
  EXPECT_FALSE(handshake(c, s));
  EXPECT_NE(s.error_message().find("handshake"), std::string::npos) << s.error_message();
}

TEST(TlsServerSessionTest, MutualTlsRequiresAClientCertificateAndReportsItsSubject) {
  ASSERT_TRUE(pki().ok());
  TlsServerOptions o = server_options();
  o.client_ca_file = pki().path("ca.pem");
  auto sctx = server_ctx(o);
  ASSERT_TRUE(sctx->asks_client_certificates());
  {
    auto cctx = client_ctx();
    TlsClientSession c(*cctx, "127.0.0.1");
    TlsServerSession s(*sctx);
    EXPECT_FALSE(handshake(c, s));
    EXPECT_FALSE(s.error_message().empty());
  }
  auto cctx = client_ctx();
  ASSERT_EQ(
      SSL_CTX_use_certificate_file(cctx->get(), pki().path("client.pem").c_str(), SSL_FILETYPE_PEM),
      1);
  ASSERT_EQ(
      SSL_CTX_use_PrivateKey_file(cctx->get(), pki().path("client.key").c_str(), SSL_FILETYPE_PEM),
      1);
  TlsClientSession c(*cctx, "127.0.0.1");
  TlsServerSession s(*sctx);
  ASSERT_TRUE(handshake(c, s)) << s.error_message();
  EXPECT_EQ(s.peer_subject(), "CN=svc-a");
}

TEST(TlsServerSessionTest, OptionalClientCertificateLetsAClientWithoutOneIn) {
  ASSERT_TRUE(pki().ok());
  TlsServerOptions o = server_options();
  o.client_ca_file = pki().path("ca.pem");
  o.client_cert_required = false;
  auto sctx = server_ctx(o);
  auto cctx = client_ctx();
  TlsClientSession c(*cctx, "127.0.0.1");
  TlsServerSession s(*sctx);
  EXPECT_TRUE(handshake(c, s)) << s.error_message();
  EXPECT_EQ(s.peer_subject(), "");
}

TEST(TlsServerSessionTest, WorldReadableKeyIsRefusedWithoutShowingIt) {
  ASSERT_TRUE(pki().ok());
  std::string copy = pki().path("open.key");
  {
    std::ifstream in(pki().path("server.key"));
    std::stringstream ss;
    ss << in.rdbuf();
    std::ofstream(copy) << ss.str();
  }
  ASSERT_EQ(chmod(copy.c_str(), 0644), 0);
  TlsServerOptions o = server_options();
  o.key_file = copy;
  std::string err;
  EXPECT_EQ(TlsServerContext::create(o, err), nullptr);
  EXPECT_NE(err.find("mode 0644"), std::string::npos) << err;
  EXPECT_EQ(err.find("PRIVATE KEY"), std::string::npos) << err;
}

TEST(TlsServerSessionTest, MismatchedKeyAndMissingFilesAreClearErrors) {
  ASSERT_TRUE(pki().ok());
  TlsServerOptions o = server_options();
  o.key_file = pki().path("client.key");
  std::string err;
  EXPECT_EQ(TlsServerContext::create(o, err), nullptr);
  EXPECT_NE(err.find("does not match"), std::string::npos) << err;
  o = server_options();
  o.cert_file = pki().path("missing.pem");
  EXPECT_EQ(TlsServerContext::create(o, err), nullptr);
  EXPECT_NE(err.find("cert_file"), std::string::npos) << err;
}

TEST(TlsServerSessionTest, Tls13OnlyRefusesATls12Client) {
  ASSERT_TRUE(pki().ok());
  TlsServerOptions o = server_options();
  o.tls13_only = true;
  auto sctx = server_ctx(o);
  auto cctx = client_ctx();
  ASSERT_EQ(SSL_CTX_set_max_proto_version(cctx->get(), TLS1_2_VERSION), 1);
  TlsClientSession c(*cctx, "127.0.0.1");
  TlsServerSession s(*sctx);
  EXPECT_FALSE(handshake(c, s));
}

}  // namespace
}  // namespace ringgate::io
