#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "tools/mock_upstream/http_request_reader.h"

namespace ringgate::mock_upstream {

// Counters and the last API request, shared by all worker threads and served at /mock/stats and
// /mock/last_request. Credentials are kept only as SHA-256 digests.
class MockStats {
 public:
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<uint64_t> connections_active{0};
  std::atomic<uint64_t> client_disconnects_midstream{0};
  std::atomic<uint64_t> client_disconnects_inflight{0};
  std::atomic<int64_t> active_streams{0};
  std::atomic<uint64_t> streams_completed{0};
  std::atomic<uint64_t> responses_completed{0};
  std::atomic<uint64_t> failures_injected{0};
  std::atomic<uint64_t> disconnects_injected{0};
  std::atomic<uint64_t> bad_requests{0};

  // Remembers `request` as the last API request.
  void RecordRequest(const HttpRequest& request);

  std::string StatsJson() const;
  std::string LastRequestJson() const;

  // Zeroes the counters (gauges such as active_streams keep their value) and forgets the last
  // request.
  void Reset();

 private:
  mutable std::mutex mu_;
  std::string last_method_;
  std::string last_path_;
  std::string last_body_;
  std::vector<std::pair<std::string, std::string>> last_headers_;  // credentials already hashed
  std::string last_authorization_sha256_;
  std::string last_authorization_header_;
};

}  // namespace ringgate::mock_upstream
