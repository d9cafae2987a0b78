#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tools/mock_upstream/http_request_reader.h"
#include "tools/mock_upstream/mock_options.h"
#include "tools/mock_upstream/mock_stats.h"
#include "tools/mock_upstream/request_router.h"
#include "tools/mock_upstream/response_plan.h"

namespace ringgate::mock_upstream {

// One epoll loop owning its own SO_REUSEPORT listener and every connection it accepts.
// Sockets are edge-triggered and always drained, responses are paced by a timer heap, and a
// client that goes away while a response is in flight is counted.
class MockWorker {
 public:
  // Takes ownership of `listen_fd`; `tls` (may be null) is shared and outlives the worker.
  MockWorker(const MockOptions& options, MockStats& stats, SSL_CTX* tls, int listen_fd);
  ~MockWorker();
  MockWorker(const MockWorker&) = delete;
  MockWorker& operator=(const MockWorker&) = delete;

  // Serves until Stop(); returns false if the loop could not be set up.
  bool Run();
  // Thread-safe.
  void Stop();

 private:
  struct Connection;
  enum class ReadResult { kDrained, kMore, kPaused, kClosed };
  enum class PumpResult { kIdle, kWaiting, kFinished, kClosed, kPeerGone };

  void AcceptAll();
  void Drive(Connection& c);
  ReadResult ReadSome(Connection& c);
  PumpResult Pump(Connection& c);
  // Returns false when the peer is gone; true when flushed or blocked (c.out not empty).
  bool Flush(Connection& c);
  void Begin(Connection& c, ResponsePlan plan);
  void Finish(Connection& c);
  void PeerGone(Connection& c);
  void Close(Connection& c, bool graceful);
  void RunDueTimers();
  int EpollTimeoutMs() const;

  const MockOptions& options_;
  MockStats& stats_;
  SSL_CTX* tls_;
  int listen_fd_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  RequestRouter router_;
  uint64_t next_id_ = 2;  // 0: listener, 1: wake-up eventfd
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  using Timer = std::pair<int64_t, uint64_t>;  // due time (us), connection id
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
};

}  // namespace ringgate::mock_upstream
