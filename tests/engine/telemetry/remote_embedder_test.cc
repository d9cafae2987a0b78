// RemoteEmbedder over the real HTTP transport against tiny servers on 127.0.0.1: a good answer,
// the hard deadline against a stalled server (000-H3), errors, the bounded queue, and
// submitters on several threads (also under TSan).
#include "cache/remote_embedder.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/config/webhook_url.h"
#include "engine/telemetry/embedding_transport.h"

namespace ringgate::telemetry {
namespace {

using cache::RemoteEmbedder;
using cache::RemoteEmbedderOptions;
using cache::steady_now_ms;

// Listens on 127.0.0.1; unless stalled, answers each connection's request with answer(request).
class TinyServer {
 public:
  using Answer = std::function<std::string(const std::string& request)>;
  explicit TinyServer(Answer answer) : answer_(std::move(answer)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 64) != 0) abort();
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    if (answer_) thread_ = std::thread([this] { serve(); });
  }
  ~TinyServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  config::WebhookTarget target() const {
    config::WebhookTarget t;
    std::string err;
    const std::string url = "http://127.0.0.1:" + std::to_string(port_) + "/v1/embeddings";
    if (!config::parse_webhook_url(url, t, err)) abort();
    t.url = url;
    return t;
  }
  std::string last_request() {
    std::lock_guard lock(mutex_);
    return last_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string request = read_request(c);
      {
        std::lock_guard lock(mutex_);
        last_ = request;
      }
      const std::string reply = answer_(request);
      (void)!::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  static std::string read_request(int c) {
    std::string in;
    char buf[4096];
    for (;;) {
      const size_t head_end = in.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const size_t at = in.find("Content-Length: ");
        const size_t body = at == std::string::npos ? 0 : std::stoul(in.substr(at + 16));
        if (in.size() >= head_end + 4 + body) return in;
      }
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return in;
      in.append(buf, size_t(n));
    }
  }

  Answer answer_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::string last_;
};

std::string http_200(const std::string& json) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(json.size()) + "\r\n\r\n" + json;
}

const char* kGoodJson =
    R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":[3,0,4.0,0]}],)"
    R"("model":"emb-1","usage":{"prompt_tokens":2,"total_tokens":2}})";

// Collects callbacks; waits for a number of them with a deadline.
struct Outcomes {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::pair<bool, std::vector<float>>> got;
  std::vector<int64_t> at_ms;
  cache::EmbedCallback callback() {
    return [this](bool ok, std::span<const float> v) {
      std::lock_guard lock(mutex);
      got.emplace_back(ok, std::vector<float>(v.begin(), v.end()));
      at_ms.push_back(steady_now_ms());
      cv.notify_all();
    };
  }
  bool wait_for(size_t n, int timeout_ms) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                       [&] { return got.size() >= n; });
  }
};

RemoteEmbedderOptions options(int timeout_ms, size_t queue = 16) {
  RemoteEmbedderOptions o;
  o.model = "emb-1";
  o.dims = 4;
  o.timeout_ms = timeout_ms;
  o.queue_capacity = queue;
  return o;
}

TEST(RemoteEmbedder, ReturnsTheNormalizedEmbeddingAndSendsModelAndKey) {
  TinyServer server([](const std::string&) { return http_200(kGoodJson); });
  RemoteEmbedder e(options(2000), make_embedding_transport(server.target(), "sk-test-123"));
  EXPECT_FALSE(e.inline_embedder());
  EXPECT_EQ(e.name(), "remote:emb-1:4");
  Outcomes out;
  ASSERT_TRUE(e.submit("hello \"world\"", steady_now_ms() + 2000, out.callback()));
  ASSERT_TRUE(out.wait_for(1, 5000));
  ASSERT_TRUE(out.got[0].first);
  EXPECT_EQ(out.got[0].second, (std::vector<float>{0.6f, 0.0f, 0.8f, 0.0f}));
  const std::string req = server.last_request();
  EXPECT_NE(req.find("POST /v1/embeddings HTTP/1.1\r\n"), std::string::npos);
  EXPECT_NE(req.find("Authorization: Bearer sk-test-123\r\n"), std::string::npos);
  EXPECT_NE(req.find(R"({"model":"emb-1","input":"hello \"world\"")"), std::string::npos);
  EXPECT_EQ(e.counters().calls, 1u);
  EXPECT_EQ(e.counters().errors, 0u);
  EXPECT_EQ(e.counters().last_call, 1);  // up, for /readyz
}

// seed-defect: 000-H3
// A server that accepts the connection but never answers: the call in flight ends as a miss at
// its deadline, and a job queued behind it with a shorter deadline is answered at ITS deadline,
// not when the first call gives up. submit() itself returns at once.
TEST(RemoteEmbedder, StalledServerGivesAMissWithinTheDeadline) {
  TinyServer stalled(nullptr);
  RemoteEmbedder e(options(800), make_embedding_transport(stalled.target(), ""));
  Outcomes first, second;
  const int64_t t0 = steady_now_ms();
  ASSERT_TRUE(e.submit("one", t0 + 800, first.callback()));
  ASSERT_TRUE(e.submit("two", t0 + 100, second.callback()));
  EXPECT_LT(steady_now_ms() - t0, 50);  // never blocks the caller
  ASSERT_TRUE(second.wait_for(1, 5000));
  EXPECT_FALSE(second.got[0].first);
  EXPECT_GE(second.at_ms[0], t0 + 100);
  EXPECT_LT(second.at_ms[0], t0 + 100 + 300);  // its own deadline, long before the first's
  ASSERT_TRUE(first.wait_for(1, 5000));
  EXPECT_FALSE(first.got[0].first);
  EXPECT_LT(first.at_ms[0], t0 + 800 + 300);
  EXPECT_EQ(e.counters().timeouts, 2u);
  EXPECT_EQ(e.counters().errors, 0u);
}

TEST(RemoteEmbedder, ErrorsAndBadAnswersAreMisses) {
  const std::vector<std::string> replies = {
      "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\n{}",
      http_200("not json"),
      http_200(R"({"data":[{"embedding":[1,2,3]}]})"),            // 3 dimensions, not 4
      http_200(R"({"data":[{"embedding":[0,0,0,0]}]})"),          // cannot be normalized
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"data\"",  // cut short
  };
  std::atomic<size_t> next{0};
  TinyServer server([&](const std::string&) { return replies[next.fetch_add(1)]; });
  RemoteEmbedder e(options(2000), make_embedding_transport(server.target(), ""));
  Outcomes out;
  for (size_t i = 0; i < replies.size(); ++i) {
    ASSERT_TRUE(e.submit("x", steady_now_ms() + 2000, out.callback()));
    ASSERT_TRUE(out.wait_for(i + 1, 5000));
    EXPECT_FALSE(out.got[i].first) << i;
  }
  EXPECT_EQ(e.counters().errors, replies.size());
  EXPECT_EQ(e.counters().timeouts, 0u);
  EXPECT_EQ(e.counters().last_call, -1);  // down, for /readyz (seed-defect 000-M6)
}

TEST(RemoteEmbedder, AFullQueueRefusesAtOnce) {
  TinyServer stalled(nullptr);
  RemoteEmbedder e(options(1000, 1), make_embedding_transport(stalled.target(), ""));
  Outcomes out;
  ASSERT_TRUE(e.submit("in flight", steady_now_ms() + 1000, out.callback()));
  const int64_t until = steady_now_ms() + 2000;  // wait for the worker to take it
  while (e.counters().calls == 0 && steady_now_ms() < until) std::this_thread::yield();
  ASSERT_EQ(e.counters().calls, 1u);
  ASSERT_TRUE(e.submit("queued", steady_now_ms() + 1000, out.callback()));
  EXPECT_FALSE(e.submit("refused", steady_now_ms() + 1000, out.callback()));
  EXPECT_EQ(e.counters().refused, 1u);
  ASSERT_TRUE(out.wait_for(2, 5000));  // both answered (misses) by their deadlines
}

TEST(RemoteEmbedder, SubmittersOnManyThreadsEachGetOneAnswer) {
  TinyServer server([](const std::string&) { return http_200(kGoodJson); });
  RemoteEmbedder e(options(5000, 64), make_embedding_transport(server.target(), ""));
  Outcomes out;
  std::atomic<size_t> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        if (!e.submit("q", steady_now_ms() + 5000, out.callback())) refused.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(out.wait_for(40 - refused.load(), 20000));
  std::lock_guard lock(out.mutex);
  EXPECT_EQ(out.got.size(), 40 - refused.load());
  size_t ok = 0;
  for (const auto& g : out.got) ok += g.first;
  EXPECT_EQ(ok, out.got.size());
  EXPECT_EQ(e.counters().calls, out.got.size());
}

}  // namespace
}  // namespace ringgate::telemetry
