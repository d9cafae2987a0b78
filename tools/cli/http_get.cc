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

// The reply, read until its framing says it ended (or the peer closed, for a body that ends
// there), so a peer that keeps the connection open costs no timeout. nullopt on a pause of
// timeout_ms, bad framing or more than max_bytes. The gateway's own parser for upstream replies.
std::optional<HttpReply> read_reply(int fd, int timeout_ms, size_t max_bytes) {
  using protocol::ParseStatus;
  protocol::HttpResponseParser parser;
  parser.set_max_body_bytes(max_bytes);
  std::string head;  // until the head is complete, the parser reads all of it on every call
  std::vector<std::string_view> pieces;
  HttpReply reply;
  char buf[8192];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const ssize_t n = poll(&p, 1, timeout_ms) == 1 ? recv(fd, buf, sizeof buf, 0) : -1;
    if (n < 0) return std::nullopt;
    pieces.clear();
    ParseStatus st;
    if (n == 0) {
      st = parser.head_complete() ? parser.finish_eof() : ParseStatus::kError;
    } else if (!parser.head_complete()) {
      if (head.size() + size_t(n) > max_bytes) return std::nullopt;
      head.append(buf, size_t(n));
      st = parser.feed(head, pieces);
    } else {
      st = parser.feed(std::string_view(buf, size_t(n)), pieces);
    }
    for (std::string_view piece : pieces) reply.body.append(piece);
    if (st == ParseStatus::kError) return std::nullopt;
    if (st == ParseStatus::kComplete) {
      reply.status = parser.head().status;
      return reply;
    }
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
  std::optional<HttpReply> reply;
  if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) == ssize_t(req.size())) {
    reply = read_reply(fd, timeout_ms, max_bytes);
  }
  close(fd);
  return reply;
}

}  // namespace ringgate::cli
