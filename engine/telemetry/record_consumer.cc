#include "engine/telemetry/record_consumer.h"

#include <arpa/inet.h>
#include <pthread.h>
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

// Always written, whatever the log level: a refused key is something an operator must see.
void log_auth_failure(const RequestRecord& r) {
  std::string line = R"({"level":"warn","event":"auth_failed","request_id":")";
  protocol::append_json_escaped(line, r.request_id.view());
  line += R"(","client_address":")" + client_address_text(r) + R"(","key_prefix":")";
  protocol::append_json_escaped(line, r.refused_key_prefix.view());
  line += R"(","status":)" + std::to_string(r.status) + "}\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace

RecordConsumer::RecordConsumer(std::vector<ShardRings> rings, RecordSinkOptions sinks,
                               std::shared_ptr<const providers::tokenizer::TokenizerSet> tokenizers,
                               bool hold)
    : rings_(std::move(rings)),
      accountant_(rings_.size(), std::move(tokenizers)),
      sinks_(sinks),
      hold_(hold),
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
  if (any) sinks_.after_drain();
  sinks_.tick();
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
  const int64_t unix_s = int64_t(std::time(nullptr));
  const SettledAccounts settled = accountant_.account(
      shard, r, uint64_t(ts.tv_sec) * 1'000'000'000 + uint64_t(ts.tv_nsec), unix_s);
  consumed_.fetch_add(1, std::memory_order_relaxed);
  if (r.auth_failed) {
    auth_failures_.fetch_add(1, std::memory_order_relaxed);
    log_auth_failure(r);
  }
  sinks_.on_record(r);
  if (settled.count) sinks_.on_spend(r, settled, unix_s);
  r.runtime.reset();  // the snapshot may go once its last record is accounted
}

void RecordConsumer::run() {
  // Named so per-thread CPU (/proc/PID/task/*/comm, top -H, perf) tells it from the shards.
  pthread_setname_np(pthread_self(), "rg-accounting");
  std::unique_lock<std::mutex> lock(mu_);
  if (hold_) cv_.wait(lock, [this] { return stopping_; });
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
