#include "engine/telemetry/webhook_sender.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "protocol/error_body.h"

namespace ringgate::telemetry {
namespace {

constexpr auto kFirstBackoff = std::chrono::milliseconds(250);
constexpr auto kMaxBackoff = std::chrono::milliseconds(8000);
// How long stop() lets the queue drain (one attempt per alert) before dropping the rest.
constexpr auto kStopGrace = std::chrono::seconds(3);

bool retryable(const PostResult& r) {
  return r.status == 0 || r.status == 408 || r.status == 429 || r.status >= 500;
}

void log_failure(const config::WebhookTarget& t, int attempts, const PostResult& r) {
  std::string line = R"({"level":"warn","event":"budget_alert_webhook_failed","webhook":")";
  protocol::append_json_escaped(line, t.safe_name());
  line += R"(","attempts":)" + std::to_string(attempts) + R"(,"status":)" +
          std::to_string(r.status) + R"(,"error":")";
  protocol::append_json_escaped(line, r.status ? "status " + std::to_string(r.status) : r.error);
  line += "\"}\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace

void WebhookSender::count(Counter AlertMetrics::*c, uint64_t n) {
  if (metrics_ && n) (metrics_->*c).add(n);
}

bool WebhookSender::post(const config::WebhookTarget& target, std::string body) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= kQueueLimit) {
      count(&AlertMetrics::webhook_dropped);
      return false;
    }
    queue_.push_back({target, std::move(body)});
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  cv_.notify_one();
  return true;
}

void WebhookSender::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void WebhookSender::run() {
  std::unique_lock lock(mu_);
  std::chrono::steady_clock::time_point give_up{};
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_ && give_up == std::chrono::steady_clock::time_point{}) {
      give_up = std::chrono::steady_clock::now() + kStopGrace;
    }
    if (queue_.empty() || (stopping_ && std::chrono::steady_clock::now() >= give_up)) break;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    deliver(job);
    lock.lock();
  }
  if (!queue_.empty()) {
    std::fprintf(stderr,
                 "{\"level\":\"warn\",\"event\":\"budget_alert_webhook_dropped\",\"alerts\":%zu,"
                 "\"reason\":\"stopping\"}\n",
                 queue_.size());
    count(&AlertMetrics::webhook_dropped, queue_.size());
    queue_.clear();
  }
}

// Waits on the stop signal, so a stopping gateway does not sit out a backoff.
bool WebhookSender::pause_before_retry(int attempt) {
  const auto backoff =
      std::min<std::chrono::milliseconds>(kFirstBackoff * (1 << (attempt - 1)), kMaxBackoff);
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, backoff, [this] { return stopping_; });
}

void WebhookSender::deliver(const Job& job) {
  PostResult r;
  int attempts = 0;
  for (;;) {
    r = poster_.post(job.target, job.body, int(job.target.timeout_ms));
    ++attempts;
    if (r.delivered()) {
      count(&AlertMetrics::webhook_delivered);
      return;
    }
    if (!retryable(r) || attempts > int(job.target.retries) || !pause_before_retry(attempts)) break;
    count(&AlertMetrics::webhook_retries);
  }
  count(&AlertMetrics::webhook_failed);
  log_failure(job.target, attempts, r);
}

}  // namespace ringgate::telemetry
