#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
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
  // GET /health: how many, and when (ms since the process started; the first kMaxHealthTimes).
  std::atomic<uint64_t> health_checks{0};
  static constexpr size_t kMaxHealthTimes = 256;
  void RecordHealthCheck(uint64_t ms_since_start);

  // Remembers `request` as the last API request.
  void RecordRequest(const HttpRequest& request);

  std::string StatsJson() const;
  std::string LastRequestJson() const;
  // The last kMaxRecent API requests, oldest first: {"requests":[{"method","path","body"}]}, so
  // a test can look at every turn of an agent's loop, not only the last.
  static constexpr size_t kMaxRecent = 16;
  std::string RecentRequestsJson() const;

  // Remembers the usage an answer reported (its API's own usage object), under the tag the
  // request carried in x-mock-usage-tag: how a client checks a gateway's accounting against what
  // the upstream said, translated or not. At most kMaxUsageLog entries; later ones are counted.
  static constexpr size_t kMaxUsageLog = 1 << 20;
  void RecordUsage(std::string tag, std::string_view api, std::string usage_json);
  // {"entries":[{"tag":..,"api":"openai"|"anthropic","usage":{..}}],"dropped":N}
  std::string UsageLogJson() const;

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
  struct UsageEntry {
    std::string tag, api, usage_json;
  };
  std::vector<UsageEntry> usage_log_;
  struct Recent {
    std::string method, path, body;
  };
  std::deque<Recent> recent_;
  uint64_t usage_log_dropped_ = 0;
  std::vector<uint64_t> health_times_;
};

}  // namespace ringgate::mock_upstream
