#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tools/mock_upstream/mock_options.h"
#include "tools/mock_upstream/mock_stats.h"
#include "tools/mock_upstream/mock_worker.h"

namespace ringgate::mock_upstream {

// Owns the listeners (one SO_REUSEPORT socket per worker, so the kernel spreads connections)
// and the worker threads.
class MockServer {
 public:
  explicit MockServer(MockOptions options);
  ~MockServer();
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  // Binds, loads TLS material if configured, and starts the workers. Returns an error message
  // on failure.
  std::optional<std::string> Start();
  // Stops the workers and waits for them; open connections are closed.
  void Stop();

  uint16_t port() const { return port_; }
  MockStats& stats() { return stats_; }
  // "127.0.0.1:PORT" or "[::1]:PORT".
  std::string address() const;

 private:
  MockOptions options_;
  MockStats stats_;
  SSL_CTX* tls_ = nullptr;
  bool ipv6_ = false;
  uint16_t port_ = 0;
  std::vector<std::unique_ptr<MockWorker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace ringgate::mock_upstream
