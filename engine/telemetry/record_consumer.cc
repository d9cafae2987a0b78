#include "engine/telemetry/record_consumer.h"

#include <arpa/inet.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "protocol/error_body.h"

namespace ringgate::telemetry {

namespace {

// How long the thread sleeps when every ring is empty. Shards never wake it (that would cost
// them a syscall per request), so a record waits at most this long.
constexpr auto kIdleWait = std::chrono::milliseconds(20);

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kAnswered:
      return "answered";
    case Outcome::kLocal:
      return "local";
    case Outcome::kUpstreamFailed:
      return "upstream_failed";
    case Outcome::kClientGone:
      return "client_gone";
  }
  return "unknown";
}

std::string address_text(const RequestRecord& r) {
  char buf[INET6_ADDRSTRLEN] = "";
  inet_ntop(r.client_ip_v6 ? AF_INET6 : AF_INET, r.client_ip, buf, sizeof buf);
  return buf;
}

const char* source_name(RequestRecord::UsageSource s) {
  switch (s) {
    case RequestRecord::UsageSource::kReported:
      return "reported";
    case RequestRecord::UsageSource::kCounted:
      return "counted";
    case RequestRecord::UsageSource::kNone:
      break;
  }
  return "none";
}

void append_usage(std::string& line, const RequestRecord& r) {
  line += R"(,"usage":")";
  line += source_name(r.usage_source);
  line += R"(","input_tokens":)" + std::to_string(r.input_tokens) + R"(,"output_tokens":)" +
          std::to_string(r.output_tokens) + R"(,"cached_input_tokens":)" +
          std::to_string(r.cached_input_tokens) + R"(,"cache_creation_tokens":)" +
          std::to_string(r.cache_creation_tokens) + R"(,"reasoning_tokens":)" +
          std::to_string(r.reasoning_tokens) + R"(,"cost_micros":)" +
          std::to_string(r.cost_micros) + R"(,"upstream_model":")";
  protocol::append_json_escaped(line, r.upstream_model.view());
  line += R"(","finish_reason":")";
  protocol::append_json_escaped(line, r.finish_reason.view());
  line += '"';
}

void log_record(const RequestRecord& r) {
  std::string line = R"({"request_id":")";
  protocol::append_json_escaped(line, r.request_id.view());
  line += R"(","client_key":")";
  protocol::append_json_escaped(line, r.client_key.view());
  line += R"(","client_address":")" + address_text(r) + R"(","model":")";
  protocol::append_json_escaped(line, r.model_requested.view());
  line += R"(","served_model":")";
  protocol::append_json_escaped(line, r.model_served.view());
  line += R"(","upstream":")";
  protocol::append_json_escaped(line, r.upstream.view());
  line += R"(","status":)" + std::to_string(r.status) + R"(,"outcome":")" +
          outcome_name(r.outcome) + R"(","bytes_in":)" + std::to_string(r.bytes_in) +
          R"(,"bytes_out":)" + std::to_string(r.bytes_out) + R"(,"relayed_bytes":)" +
          std::to_string(r.relayed_bytes) + R"(,"relayed_sends":)" +
          std::to_string(r.relayed_sends) + R"(,"taps":")" +
          (r.taps_incomplete ? "incomplete" : "complete") + R"(","upstream_connect_us":)" +
          std::to_string(r.upstream_connect_us) + R"(,"upstream_ttfb_us":)" +
          std::to_string(r.upstream_ttfb_us) + R"(,"total_us":)" + std::to_string(r.total_us);
  append_usage(line, r);
  line += "}\n";
  std::fputs(line.c_str(), stderr);
}

// Always written, whatever the log level: a refused key is something an operator must see.
void log_auth_failure(const RequestRecord& r) {
  std::string line = R"({"level":"warn","event":"auth_failed","request_id":")";
  protocol::append_json_escaped(line, r.request_id.view());
  line += R"(","client_address":")" + address_text(r) + R"(","key_prefix":")";
  protocol::append_json_escaped(line, r.refused_key_prefix.view());
  line += R"(","status":)" + std::to_string(r.status) + "}\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace

RecordConsumer::RecordConsumer(std::vector<ShardRings> rings, bool log_records)
    : rings_(std::move(rings)),
      accountant_(rings_.size()),
      log_records_(log_records),
      thread_([this] { run(); }) {}

RecordConsumer::~RecordConsumer() { stop(); }

void RecordConsumer::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

uint64_t RecordConsumer::dropped() const {
  uint64_t n = 0;
  for (const ShardRings& r : rings_) n += r.records->dropped();
  return n;
}

uint64_t RecordConsumer::tap_frames_dropped() const {
  uint64_t n = 0;
  for (const ShardRings& r : rings_) n += r.taps ? r.taps->dropped() : 0;
  return n;
}

bool RecordConsumer::drain_once() {
  bool any = false;
  for (size_t i = 0; i < rings_.size(); ++i) any |= drain_shard(i);
  return any;
}

// A shard pushes a request's body copy before its record, so the records ready now have every
// frame of theirs among the frames ready after: count the records first, then read the frames.
bool RecordConsumer::drain_shard(size_t shard) {
  const ShardRings& rings = rings_[shard];
  size_t records = rings.records->ready();
  size_t frames = 0;
  if (rings.taps) {
    frames = rings.taps->drain([&](uint64_t request, TapFrame kind, std::string_view payload) {
      accountant_.on_frame(shard, request, kind, payload);
    });
  }
  RequestRecord r;
  size_t popped = 0;
  for (; popped < records && rings.records->pop(r); ++popped) consume(shard, r);
  return frames > 0 || popped > 0;
}

void RecordConsumer::consume(size_t shard, RequestRecord& r) {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  accountant_.account(shard, r, uint64_t(ts.tv_sec) * 1'000'000'000 + uint64_t(ts.tv_nsec),
                      int64_t(std::time(nullptr)));
  consumed_.fetch_add(1, std::memory_order_relaxed);
  if (r.auth_failed) {
    auth_failures_.fetch_add(1, std::memory_order_relaxed);
    log_auth_failure(r);
  }
  if (log_records_) log_record(r);
  r.runtime.reset();  // the snapshot may go once its last record is accounted
}

void RecordConsumer::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    const bool any = drain_once();
    lock.lock();
    if (!any) cv_.wait_for(lock, kIdleWait, [this] { return stopping_; });
  }
  lock.unlock();
  drain_once();  // what the shards pushed before they stopped
}

}  // namespace ringgate::telemetry
