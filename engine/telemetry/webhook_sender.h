// The budget alert webhook's own thread: the accounting thread hands it bodies through a bounded
// queue (a full queue drops the alert and counts it; the alert's log line was written anyway),
// and it POSTs each with its target's deadline, retrying a failure (no response, 408, 429, 5xx)
// up to the target's retries with doubling backoff from 250 ms (at most 8 s). Other statuses are
// not retried. It logs a failure with the webhook's scheme and host only, never its path.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "engine/config/alerts_config.h"
#include "engine/telemetry/http_post.h"
#include "engine/telemetry/metrics.h"

namespace ringgate::telemetry {

class WebhookSender {
 public:
  static constexpr size_t kQueueLimit = 256;

  // metrics: where deliveries, failures, drops and retries are counted; null: nowhere.
  explicit WebhookSender(AlertMetrics* metrics) : metrics_(metrics) {}
  ~WebhookSender() { stop(); }
  WebhookSender(const WebhookSender&) = delete;

  // Accounting thread. The thread starts with the first post. false: dropped (queue full, or
  // stopping).
  bool post(const config::WebhookTarget& target, std::string body);
  // Stops retrying; what is queued gets one attempt each for up to a few seconds, the rest is
  // dropped (counted and logged). Call after the accounting thread stopped.
  void stop();

 private:
  struct Job {
    config::WebhookTarget target;
    std::string body;
  };
  void run();
  void deliver(const Job& job);
  bool pause_before_retry(int attempt);  // false: stopping
  void count(Counter AlertMetrics::*c, uint64_t n = 1);

  AlertMetrics* metrics_;
  HttpPoster poster_;  // the webhook thread's only
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ringgate::telemetry
