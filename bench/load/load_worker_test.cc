#include "bench/load/load_worker.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace ringgate::bench {
namespace {

// A blocking HTTP/1.1 server on 127.0.0.1 with one thread per connection; `respond` turns a
// request body into the response bytes, or returns "" to never answer.
class FakeServer {
 public:
  struct Reply {
    std::string bytes;
    bool close = false;
  };
  explicit FakeServer(std::function<Reply(const std::string& body)> respond)
      : respond_(std::move(respond)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length), 0);
    EXPECT_EQ(::listen(listen_fd_, 128), 0);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~FakeServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard lock(mutex_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (std::thread& t : handlers_) t.join();
    ::close(listen_fd_);
  }

  uint16_t port() const { return port_; }
  int connections() const { return connections_; }
  int requests() const { return requests_; }
  std::multiset<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }

 private:
  void accept_loop() {
    for (;;) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      if (stopping_) {
        ::close(fd);
        return;
      }
      ++connections_;
      std::lock_guard lock(mutex_);
      open_fds_.insert(fd);
      handlers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string pending;
    char chunk[4096];
    for (;;) {
      size_t head_end;
      while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return finish(fd);
        pending.append(chunk, static_cast<size_t>(n));
      }
      size_t body_length = 0;
      if (size_t at = pending.find("Content-Length: "); at != std::string::npos && at < head_end) {
        body_length = std::stoul(pending.substr(at + 16));
      }
      while (pending.size() < head_end + 4 + body_length) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return finish(fd);
        pending.append(chunk, static_cast<size_t>(n));
      }
      const std::string body = pending.substr(head_end + 4, body_length);
      pending.erase(0, head_end + 4 + body_length);
      ++requests_;
      {
        std::lock_guard lock(mutex_);
        bodies_.insert(body);
      }
      const Reply reply = respond_(body);
      if (!reply.bytes.empty()) ::send(fd, reply.bytes.data(), reply.bytes.size(), MSG_NOSIGNAL);
      if (reply.close) return finish(fd);
    }
  }

  void finish(int fd) {
    std::lock_guard lock(mutex_);
    open_fds_.erase(fd);
    ::close(fd);
  }

  std::function<Reply(const std::string&)> respond_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::set<int> open_fds_;
  std::vector<std::thread> handlers_;
  std::multiset<std::string> bodies_;
};

struct RunResult {
  int connected = 0;
  LoadStats stats;
};

// Runs one worker until `quota` measured requests are answered (a 20 s cap only guards
// against a hang).
RunResult run_worker(uint16_t port, int connections, uint64_t quota, const std::string& body,
                     bool stream = false, uint64_t timeout_ms = 5000) {
  TargetUrl url;
  EXPECT_EQ(parse_target_url("http://127.0.0.1:" + std::to_string(port) + "/v1/x", url), "");
  TargetAddress address;
  EXPECT_EQ(resolve_target(url, false, address), "");
  const RequestBuilder builder("POST", url, {}, BodyTemplate(body));
  WorkerPlan plan;
  plan.connections = connections;
  plan.request_quota = quota;
  plan.stream = stream;
  plan.timeout_ns = timeout_ms * 1'000'000;
  plan.address = &address;
  plan.builder = &builder;
  LoadWorker worker(plan);
  EXPECT_EQ(worker.init(), "");
  RunResult run;
  run.connected = worker.connect_all(monotonic_ns() + 5'000'000'000);
  const uint64_t start = monotonic_ns();
  worker.run(start, start, start + 20'000'000'000);
  run.stats = worker.stats();
  return run;
}

std::string ok(const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 200 OK\r\n" + extra_headers + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

TEST(LoadWorker, KeepAliveRequestsAreCountedOncePerResponse) {
  FakeServer server([](const std::string&) { return FakeServer::Reply{ok("hello")}; });
  const RunResult run = run_worker(server.port(), 4, 100, R"({"a":1})");
  EXPECT_EQ(run.connected, 4);
  EXPECT_EQ(run.stats.requests, 100u);
  EXPECT_EQ(run.stats.errors(), 0u);
  EXPECT_EQ(run.stats.status_counts[200], 100u);
  EXPECT_EQ(run.stats.latency.count(), 100u);
  EXPECT_EQ(run.stats.body_bytes, 500u);
  EXPECT_EQ(run.stats.reconnects, 0u);
  EXPECT_EQ(server.requests(), 100);
  EXPECT_EQ(server.connections(), 4);
}

TEST(LoadWorker, ChunkedSseEventsAreCounted) {
  const std::string sse =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
      "f\r\ndata: one\n\ndata\r\n"
      "15\r\n: two\n\ndata: [DONE]\n\n\r\n"
      "0\r\n\r\n";
  FakeServer server([&](const std::string&) { return FakeServer::Reply{sse}; });
  const RunResult run = run_worker(server.port(), 2, 20, "{}", /*stream=*/true);
  EXPECT_EQ(run.stats.requests, 20u);
  EXPECT_EQ(run.stats.errors(), 0u);
  EXPECT_EQ(run.stats.events, 60u);
  EXPECT_EQ(run.stats.ttfb.count(), 20u);
}

TEST(LoadWorker, ConnectionCloseReconnectsWithoutErrors) {
  FakeServer server([](const std::string&) {
    return FakeServer::Reply{ok("bye", "Connection: close\r\n"), /*close=*/true};
  });
  const RunResult run = run_worker(server.port(), 1, 10, "{}");
  EXPECT_EQ(run.stats.requests, 10u);
  EXPECT_EQ(run.stats.errors(), 0u);
  EXPECT_EQ(server.connections(), 10);
}

TEST(LoadWorker, ErrorStatusesAreCountedByCode) {
  std::atomic<int> n{0};
  FakeServer server([&](const std::string&) {
    return FakeServer::Reply{++n % 2 == 0 ? ok("x")
                                          : "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"};
  });
  const RunResult run = run_worker(server.port(), 1, 40, "{}");
  EXPECT_EQ(run.stats.requests, 40u);
  EXPECT_EQ(run.stats.status_counts[503], 20u);
  EXPECT_EQ(run.stats.status_counts[200], 20u);
  EXPECT_EQ(run.stats.errors(), 20u);
}

TEST(LoadWorker, UnansweredRequestsTimeOut) {
  FakeServer server([](const std::string&) { return FakeServer::Reply{}; });
  const RunResult run = run_worker(server.port(), 1, 3, "{}", false, /*timeout_ms=*/50);
  EXPECT_EQ(run.stats.requests, 0u);
  EXPECT_EQ(run.stats.timeout_errors, 3u);
  EXPECT_EQ(run.stats.latency.count(), 0u);
}

TEST(LoadWorker, ResponseCutShortIsAReadError) {
  FakeServer server([](const std::string&) {
    return FakeServer::Reply{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", true};
  });
  const RunResult run = run_worker(server.port(), 1, 5, "{}");
  EXPECT_EQ(run.stats.requests, 0u);
  EXPECT_EQ(run.stats.read_errors, 5u);
}

TEST(LoadWorker, TemplateMakesEveryBodyDifferent) {
  FakeServer server([](const std::string&) { return FakeServer::Reply{ok("")}; });
  const RunResult run = run_worker(server.port(), 3, 50, R"({"n":{{seq}}})");
  EXPECT_EQ(run.stats.requests, 50u);
  const std::multiset<std::string> bodies = server.bodies();
  ASSERT_EQ(bodies.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(bodies.count(R"({"n":)" + std::to_string(i) + "}"), 1u) << i;
  }
}

TEST(LoadWorker, RefusedConnectionsAreConnectErrors) {
  uint16_t port;
  {
    FakeServer closed([](const std::string&) { return FakeServer::Reply{}; });
    port = closed.port();
  }  // the port is free again and nobody listens on it
  TargetUrl url;
  ASSERT_EQ(parse_target_url("http://127.0.0.1:" + std::to_string(port) + "/", url), "");
  TargetAddress address;
  ASSERT_EQ(resolve_target(url, false, address), "");
  const RequestBuilder builder("GET", url, {}, BodyTemplate(""));
  WorkerPlan plan;
  plan.connections = 2;
  plan.address = &address;
  plan.builder = &builder;
  LoadWorker worker(plan);
  ASSERT_EQ(worker.init(), "");
  EXPECT_EQ(worker.connect_all(monotonic_ns() + 5'000'000'000), 0);
  EXPECT_EQ(worker.stats().connect_errors, 2u);
}

}  // namespace
}  // namespace ringgate::bench
