#include "engine/cluster/redis_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace ringgate::cluster {
namespace {

int64_t steady_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace

void RedisConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  reader_.reset();
}

bool RedisConnection::wait(short events, int64_t deadline_ms, std::string& err) {
  while (true) {
    const int64_t left = deadline_ms - steady_ms();
    if (left <= 0) return err = "timed out", false;
    pollfd p{fd_, events, 0};
    const int n = ::poll(&p, 1, int(left));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return err = std::strerror(errno), false;
  }
}

bool RedisConnection::connect(const std::string& host, uint16_t port, int timeout_ms,
                              std::string& err) {
  close();
  sockaddr_storage addr{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    return err = "not an IP address: " + host, false;
  }
  fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return err = std::strerror(errno), false;
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const int64_t deadline = steady_ms() + timeout_ms;
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    if (errno != EINPROGRESS) return err = std::strerror(errno), close(), false;
    if (!wait(POLLOUT, deadline, err)) return close(), false;
    int so_error = 0;
    socklen_t so_len = sizeof so_error;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &so_len);
    if (so_error != 0) return err = std::strerror(so_error), close(), false;
  }
  return true;
}

bool RedisConnection::write_all(const std::string& bytes, int64_t deadline_ms, std::string& err) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += size_t(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait(POLLOUT, deadline_ms, err)) return false;
    } else {
      return err = n == 0 ? "connection closed" : std::strerror(errno), false;
    }
  }
  return true;
}

bool RedisConnection::round_trip(const std::string& commands, size_t count,
                                 std::vector<protocol::RespValue>& out, int timeout_ms,
                                 std::string& err) {
  out.clear();
  if (fd_ < 0) return err = "not connected", false;
  const int64_t deadline = steady_ms() + timeout_ms;
  if (!write_all(commands, deadline, err)) return close(), false;
  char buf[16384];
  while (out.size() < count) {
    protocol::RespValue v;
    const protocol::ParseStatus s = reader_.next(v);
    if (s == protocol::ParseStatus::kComplete) {
      out.push_back(std::move(v));
      continue;
    }
    if (s == protocol::ParseStatus::kError) {
      err = std::string("bad reply: ") + reader_.error_message();
      return close(), false;
    }
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      reader_.feed(std::string_view(buf, size_t(n)));
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait(POLLIN, deadline, err)) return close(), false;
    } else {
      err = n == 0 ? "connection closed by Redis" : std::strerror(errno);
      return close(), false;
    }
  }
  return true;
}

}  // namespace ringgate::cluster
