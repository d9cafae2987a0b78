#include "engine/telemetry/http_post.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "engine/config/upstream_url.h"
#include "protocol/http_response_parser.h"

namespace ringgate::telemetry {
namespace {

using Clock = std::chrono::steady_clock;

std::string openssl_error(const char* what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return what;
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return std::string(what) + ": " + buf;
}

// One connection: a socket, and TLS over it for https.
struct Connection {
  int fd = -1;
  SSL* ssl = nullptr;
  Clock::time_point deadline;
  ~Connection() {
    if (ssl) SSL_free(ssl);
    if (fd >= 0) ::close(fd);
  }
};

bool wait_for(const Connection& c, short events, std::string& err) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(c.deadline - Clock::now()).count();
  if (left <= 0) {
    err = "timed out";
    return false;
  }
  pollfd p{c.fd, events, 0};
  const int n = ::poll(&p, 1, int(left));
  if (n == 0) err = "timed out";
  if (n < 0) err = std::string("poll: ") + std::strerror(errno);
  return n > 0;
}

bool connect_to(Connection& c, const addrinfo& ai, std::string& err) {
  c.fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (c.fd < 0) {
    err = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  if (::connect(c.fd, ai.ai_addr, ai.ai_addrlen) != 0 && errno != EINPROGRESS) {
    err = std::string("connect: ") + std::strerror(errno);
    return false;
  }
  if (!wait_for(c, POLLOUT, err)) return false;
  int so_error = 0;
  socklen_t len = sizeof so_error;
  ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
  if (so_error != 0) err = std::string("connect: ") + std::strerror(so_error);
  return so_error == 0;
}

// The first address that is allowed (no link-local or metadata address, as for upstreams) and
// accepts a connection.
bool connect_any(Connection& c, const config::WebhookTarget& t, std::string& err) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const std::string port = std::to_string(t.port);
  if (const int rc = ::getaddrinfo(t.host.c_str(), port.c_str(), &hints, &list); rc != 0) {
    err = std::string("resolve: ") + gai_strerror(rc);
    return false;
  }
  err = "resolve: no allowed address";
  bool ok = false;
  for (addrinfo* ai = list; ai && !ok; ai = ai->ai_next) {
    if (config::is_forbidden_upstream_address(ai->ai_addr)) continue;
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
    ok = connect_to(c, *ai, err);
  }
  ::freeaddrinfo(list);
  return ok;
}

// Waits for what an SSL call asked for; false on a real error.
bool tls_wait(Connection& c, int rc, const char* what, std::string& err) {
  const int e = SSL_get_error(c.ssl, rc);
  if (e == SSL_ERROR_WANT_READ) return wait_for(c, POLLIN, err);
  if (e == SSL_ERROR_WANT_WRITE) return wait_for(c, POLLOUT, err);
  err = openssl_error(what);
  return false;
}

bool tls_handshake(Connection& c, SSL_CTX* ctx, const config::WebhookTarget& t, std::string& err) {
  c.ssl = SSL_new(ctx);
  if (!c.ssl || SSL_set_fd(c.ssl, c.fd) != 1) {
    err = openssl_error("tls setup");
    return false;
  }
  in6_addr ip{};
  const bool literal =
      inet_pton(AF_INET, t.host.c_str(), &ip) == 1 || inet_pton(AF_INET6, t.host.c_str(), &ip) == 1;
  if (literal) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c.ssl), t.host.c_str());
  } else {
    SSL_set_tlsext_host_name(c.ssl, t.host.c_str());
    SSL_set1_host(c.ssl, t.host.c_str());
  }
  for (;;) {
    const int rc = SSL_connect(c.ssl);
    if (rc == 1) return true;
    if (!tls_wait(c, rc, "tls handshake", err)) return false;
  }
}

bool send_all(Connection& c, std::string_view data, std::string& err) {
  while (!data.empty()) {
    ssize_t n;
    if (c.ssl) {
      n = SSL_write(c.ssl, data.data(), int(data.size()));
      if (n <= 0 && !tls_wait(c, int(n), "tls write", err)) return false;
    } else {
      n = ::send(c.fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN) {
        err = std::string("send: ") + std::strerror(errno);
        return false;
      }
      if (n < 0 && !wait_for(c, POLLOUT, err)) return false;
    }
    if (n > 0) data.remove_prefix(size_t(n));
  }
  return true;
}

// Some bytes, or 0 at the end of the stream, or -1 (err says why).
ssize_t recv_some(Connection& c, char* buf, size_t size, std::string& err) {
  for (;;) {
    if (c.ssl) {
      const int n = SSL_read(c.ssl, buf, int(size));
      if (n > 0) return n;
      if (SSL_get_error(c.ssl, n) == SSL_ERROR_ZERO_RETURN) return 0;
      if (!tls_wait(c, n, "tls read", err)) return -1;
      continue;
    }
    const ssize_t n = ::recv(c.fd, buf, size, 0);
    if (n >= 0) return n;
    if (errno != EAGAIN) {
      err = std::string("recv: ") + std::strerror(errno);
      return -1;
    }
    if (!wait_for(c, POLLIN, err)) return -1;
  }
}

// "HTTP/1.1 204 No Content\r\n" -> 204; 0 when it is not a status line.
int status_of(std::string_view head) {
  if (head.size() < 12 || head.substr(0, 7) != "HTTP/1." || head[8] != ' ') return 0;
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (head[i] < '0' || head[i] > '9') return 0;
    status = status * 10 + (head[i] - '0');
  }
  return status;
}

int read_status(Connection& c, std::string& err) {
  std::string head;
  char buf[512];
  while (head.find("\r\n") == std::string::npos && head.size() < 4096) {
    const ssize_t n = recv_some(c, buf, sizeof buf, err);
    if (n < 0) return 0;
    if (n == 0) break;
    head.append(buf, size_t(n));
  }
  const int status = status_of(head);
  if (status == 0 && err.empty()) err = "no HTTP status line in the response";
  return status;
}

std::string request_of(const config::WebhookTarget& t, std::string_view body,
                       std::string_view extra_headers = {}) {
  return "POST " + t.target + " HTTP/1.1\r\nHost: " + t.authority +
         "\r\nUser-Agent: ringgate\r\nContent-Type: application/json\r\n" +
         std::string(extra_headers) + "Content-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + std::string(body);
}

// Connects (and shakes hands for https, ctx not null) and sends the request, by c.deadline.
bool open_and_send(Connection& c, SSL_CTX* ctx, const config::WebhookTarget& t,
                   std::string_view request, std::string& err) {
  if (!connect_any(c, t, err)) return false;
  if (t.tls && !tls_handshake(c, ctx, t, err)) return false;
  return send_all(c, request, err);
}

// Reads until the parser has the whole message (or the peer closes a close-delimited one).
bool read_reply(Connection& c, size_t max_body_bytes, HttpReply& r) {
  protocol::HttpResponseParser parser;
  parser.set_max_body_bytes(max_body_bytes);
  std::string head;  // all bytes until the head is complete, as the parser wants
  std::vector<std::string_view> pieces;
  char buf[16384];
  for (;;) {
    const ssize_t n = recv_some(c, buf, sizeof buf, r.error);
    if (n < 0) return false;
    protocol::ParseStatus st;
    pieces.clear();
    if (n == 0) {
      st = parser.finish_eof();
    } else if (!parser.head_complete()) {
      head.append(buf, size_t(n));
      st = parser.feed(head, pieces);
    } else {
      st = parser.feed(std::string_view(buf, size_t(n)), pieces);
    }
    for (std::string_view p : pieces) r.body.append(p);
    if (st == protocol::ParseStatus::kComplete) {
      r.status = parser.head().status;
      return true;
    }
    if (st == protocol::ParseStatus::kError || n == 0) {
      r.error = parser.body_too_large() ? "response body too large" : "malformed HTTP response";
      return false;
    }
  }
}

}  // namespace

SSL_CTX* HttpPoster::tls_context(std::string& err) {
  if (ctx_) return ctx_.get();
  ERR_clear_error();
  ctx_.reset(SSL_CTX_new(TLS_client_method()));
  if (!ctx_ || SSL_CTX_set_min_proto_version(ctx_.get(), TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_default_verify_paths(ctx_.get()) != 1) {
    err = openssl_error("tls: cannot set up a client context with the system trust store");
    ctx_.reset();
    return nullptr;
  }
  SSL_CTX_set_options(ctx_.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
  return ctx_.get();
}

HttpReply HttpPoster::post_for_reply(const config::WebhookTarget& t, std::string_view extra_headers,
                                     std::string_view body, int timeout_ms, size_t max_body_bytes) {
  HttpReply r;
  Connection c;
  c.deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  SSL_CTX* ctx = t.tls ? tls_context(r.error) : nullptr;
  if ((!t.tls || ctx) && open_and_send(c, ctx, t, request_of(t, body, extra_headers), r.error) &&
      read_reply(c, max_body_bytes, r)) {
    r.error.clear();
    return r;
  }
  r.status = 0;
  r.body.clear();
  r.timed_out = r.error == "timed out";
  return r;
}

PostResult HttpPoster::post(const config::WebhookTarget& t, std::string_view body, int timeout_ms) {
  PostResult r;
  Connection c;
  c.deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  SSL_CTX* ctx = nullptr;
  if (t.tls && !(ctx = tls_context(r.error))) return r;
  if (!open_and_send(c, ctx, t, request_of(t, body), r.error)) return r;
  r.status = read_status(c, r.error);
  if (r.status != 0) r.error.clear();
  return r;
}

}  // namespace ringgate::telemetry
