#include "tools/mock_upstream/mock_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ringgate::mock_upstream {
namespace {

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

// Binds a listening socket; `port` 0 asks the kernel for one and reports it back.
std::optional<std::string> Listen(const std::string& host, bool& ipv6, uint16_t& port, int& fd) {
  sockaddr_storage storage{};
  socklen_t length;
  std::string literal = host == "localhost" ? "127.0.0.1" : host;
  if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']') {
    literal = literal.substr(1, literal.size() - 2);
  }
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, literal.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(*v4);
    ipv6 = false;
  } else if (inet_pton(AF_INET6, literal.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(*v6);
    ipv6 = true;
  } else {
    return "--listen: '" + host + "' is not an IP address";
  }
  fd = socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("socket: ") + std::strerror(errno);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 || listen(fd, 4096) != 0) {
    std::string error =
        "cannot listen on " + host + ":" + std::to_string(port) + ": " + std::strerror(errno);
    close(fd);
    fd = -1;
    return error;
  }
  if (port == 0) {
    socklen_t actual_length = sizeof(storage);
    getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &actual_length);
    port = ntohs(ipv6 ? v6->sin6_port : v4->sin_port);
  }
  return std::nullopt;
}

}  // namespace

MockServer::MockServer(MockOptions options) : options_(std::move(options)) {}

MockServer::~MockServer() {
  Stop();
  if (tls_ != nullptr) SSL_CTX_free(tls_);
}

std::string MockServer::address() const {
  std::string host = options_.host == "localhost" ? "127.0.0.1" : options_.host;
  if (ipv6_ && host.front() != '[') host = "[" + host + "]";
  return host + ":" + std::to_string(port_);
}

std::optional<std::string> MockServer::Start() {
  if (!options_.tls_cert.empty()) {
    tls_ = SSL_CTX_new(TLS_server_method());
    if (tls_ == nullptr) return "TLS: " + OpenSslError();
    SSL_CTX_set_min_proto_version(tls_, TLS1_2_VERSION);
    SSL_CTX_set_mode(tls_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (SSL_CTX_use_certificate_chain_file(tls_, options_.tls_cert.c_str()) != 1) {
      return "TLS: cannot load --tls-cert " + options_.tls_cert + ": " + OpenSslError();
    }
    if (SSL_CTX_use_PrivateKey_file(tls_, options_.tls_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(tls_) != 1) {
      return "TLS: cannot load --tls-key " + options_.tls_key + ": " + OpenSslError();
    }
  }
  port_ = options_.port;
  std::vector<int> fds;
  for (int i = 0; i < options_.threads; ++i) {
    int fd = -1;
    if (auto error = Listen(options_.host, ipv6_, port_, fd)) {
      for (int open_fd : fds) close(open_fd);
      return error;
    }
    fds.push_back(fd);
  }
  for (int fd : fds) {
    workers_.push_back(std::make_unique<MockWorker>(options_, stats_, tls_, fd));
  }
  for (auto& worker : workers_) {
    threads_.emplace_back([w = worker.get()] {
      if (!w->Run()) std::perror("ringgate-mock-upstream: worker loop failed");
    });
  }
  return std::nullopt;
}

void MockServer::Stop() {
  for (auto& worker : workers_) worker->Stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  workers_.clear();
}

}  // namespace ringgate::mock_upstream
