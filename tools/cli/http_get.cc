#include "tools/cli/http_get.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "protocol/http_response_parser.h"

namespace ringgate::cli {

namespace {

// A connected socket to host:port, or -1.
int connect_to(const GatewayAddress& to) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(to.host.c_str(), to.port.c_str(), &hints, &res) != 0 || !res) return -1;
  int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

// Everything the peer sends until it closes, a pause of timeout_ms, or max_bytes (then false).
bool read_until_close(int fd, int timeout_ms, size_t max_bytes, std::string& in) {
  char buf[8192];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) return true;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return true;
    if (in.size() + size_t(n) > max_bytes) return false;
    in.append(buf, size_t(n));
  }
}

}  // namespace

std::optional<HttpReply> http_get(const GatewayAddress& to, std::string_view path,
                                  std::string_view extra_headers, int timeout_ms,
                                  size_t max_bytes) {
  const int fd = connect_to(to);
  if (fd < 0) return std::nullopt;
  const std::string host = to.host.find(':') == std::string::npos ? to.host : "[" + to.host + "]";
  const std::string req = "GET " + std::string(path) + " HTTP/1.1\r\nHost: " + host + ":" +
                          to.port + "\r\n" + std::string(extra_headers) +
                          "Connection: close\r\n\r\n";
  std::string in;
  bool whole = false;
  if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) == ssize_t(req.size())) {
    whole = read_until_close(fd, timeout_ms, max_bytes, in);
  }
  close(fd);
  if (!whole) return std::nullopt;
  // The gateway's own parser for upstream replies: status, and the body by its framing.
  protocol::HttpResponseParser parser;
  std::vector<std::string_view> pieces;
  protocol::ParseStatus st = parser.feed(in, pieces);
  if (st != protocol::ParseStatus::kComplete && parser.head_complete()) st = parser.finish_eof();
  if (st != protocol::ParseStatus::kComplete) return std::nullopt;
  HttpReply reply{parser.head().status, {}};
  for (std::string_view p : pieces) reply.body.append(p);
  return reply;
}

}  // namespace ringgate::cli
