// What the admin API shows of traffic, kept by the accounting thread: a time series of 10 s
// steps over the last hour (requests, errors, latency and time-to-first-byte histograms, spend),
// per key, team and deployment counters, and the last records. The thread publishes an immutable
// AdminSnapshot (a shared_ptr swapped under a lock held for the pointer copy alone, at most every
// kPublishMs); shards read it without waiting on the thread's work, so no admin call can stall a
// shard or the accounting.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/telemetry/request_record.h"

namespace ringgate::telemetry {

// Geometric latency buckets: bucket i holds [kFirstUs * kGrowth^(i-1), kFirstUs * kGrowth^i).
struct LatencyHistogram {
  static constexpr size_t kBuckets = 48;
  std::array<uint32_t, kBuckets> counts{};
  void add(uint64_t us);
  void merge(const LatencyHistogram& o);
  uint64_t total() const;
  // The q-quantile (0..1) in milliseconds, at its bucket's upper bound; 0 when empty.
  double quantile_ms(double q) const;
};

struct AdminPoint {
  int64_t t = 0;  // the step's start, unix seconds (a multiple of step_s)
  uint64_t requests = 0, errors = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;
  int64_t spend_micros = 0;
};

struct AdminCounts {
  uint64_t requests = 0, errors = 0;
  int64_t spend_micros = 0;
};

// One recent record, as /admin/requests shows it: ids and numbers, never bodies.
struct AdminRow {
  uint64_t seq = 0;  // grows with each record: the paging cursor
  std::string request_id, key, team, model, deployment, cache;
  int64_t unix_ms = 0;
  int status = 0;
  int64_t input_tokens = 0, output_tokens = 0, cost_micros = 0;
  uint32_t total_us = 0;
};

// The windows the overview sums (1 and 5 minutes).
struct AdminWindow {
  uint64_t requests = 0, errors = 0;
  LatencyHistogram latency, ttfb;
};

struct AdminSnapshot {
  static constexpr int64_t kStepS = 10;
  static constexpr size_t kPoints = 360;  // one hour
  int64_t published_unix_ms = 0;
  std::vector<AdminPoint> points;  // oldest first, only steps with data in the last hour
  AdminWindow last_1m, last_5m;    // as of published_unix_ms
  double p50_ms = 0, p95_ms = 0, p99_ms = 0, ttft_p50_ms = 0, ttft_p95_ms = 0, ttft_p99_ms = 0;
  int64_t spend_today_micros = 0;  // in the UTC day of published_unix_ms
  std::map<std::string, AdminCounts, std::less<>> keys, teams, deployments;
  std::vector<AdminRow> recent;  // newest first
};

class AdminSeries {
 public:
  static constexpr size_t kMaxNames = 4096;    // distinct keys, teams, deployments counted
  static constexpr size_t kRecentRows = 1000;  // what /admin/requests pages through
  static constexpr int64_t kPublishMs = 250, kRefreshMs = 5000;

  // Accounting thread. `team`: the key's team ("" for none); unix_ms: when it was accounted.
  void on_record(const RequestRecord& r, std::string_view team, int64_t unix_ms);
  // Accounting thread: publishes when something changed and kPublishMs passed, and every
  // kRefreshMs anyway (the windows move on without traffic), or when `force`d.
  void maybe_publish(int64_t unix_ms, bool force = false);
  // Any thread.
  std::shared_ptr<const AdminSnapshot> snapshot() const {
    std::lock_guard lock(published_mu_);
    return published_;
  }

 private:
  struct Step {
    int64_t t = -1;
    uint64_t requests = 0, errors = 0;
    LatencyHistogram latency, ttfb;
    int64_t spend_micros = 0;
  };
  Step& step_at(int64_t unix_s);
  void count(std::map<std::string, AdminCounts, std::less<>>& m, std::string_view name,
             const AdminCounts& add);
  std::shared_ptr<AdminSnapshot> build(int64_t unix_ms) const;

  std::array<Step, AdminSnapshot::kPoints> steps_;
  std::map<std::string, AdminCounts, std::less<>> keys_, teams_, deployments_;
  std::vector<AdminRow> recent_;  // a ring of kRecentRows, next_ is the oldest once full
  size_t next_ = 0;
  uint64_t seq_ = 0;
  uint32_t spend_day_ = 0;
  int64_t spend_today_micros_ = 0;
  bool dirty_ = false;
  int64_t last_publish_ms_ = 0;
  // Held only to copy or swap the pointer: an admin call, never a request, takes it (the
  // snapshot itself is read unlocked, immutable).
  mutable std::mutex published_mu_;
  std::shared_ptr<const AdminSnapshot> published_ = std::make_shared<const AdminSnapshot>();
};

}  // namespace ringgate::telemetry
