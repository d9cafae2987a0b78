// The gateway's metrics: counters each shard keeps for its own requests (ShardMetrics), counters
// the accounting thread keeps for usage and cost (AccountingMetrics), and the registry that sums
// them all into the Prometheus text when /metrics is scraped.
//
// Every counter has one writer (a shard's thread, or the accounting thread) and is a relaxed
// atomic, so a write is a plain load and store, never a lock or an allocation; a scrape on any
// thread reads a recent value. Counters live in blocks shaped by a MetricsLayout. A reload that
// changes the names starts a new block (the writer adopts it); older blocks are kept, read-only,
// and a scrape sums every block by label value, so a counter never goes down and a removed name
// keeps its last count until restart. Memory grows by one block per such reload, never per
// request. Breaker states come with routing (no breakers exist yet).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/admission/admission_decision.h"
#include "engine/telemetry/metrics_layout.h"
#include "engine/telemetry/record_ring.h"

namespace ringgate::telemetry {

// Written by one thread, read by any.
class Counter {
 public:
  void add(uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

enum class StatusClass : uint8_t { k2xx, k3xx, k4xx, k5xx, kOther };
inline constexpr size_t kStatusClasses = 5;
StatusClass status_class(int status);
std::string_view status_class_name(StatusClass c);  // "2xx", ..., "other"

// Upper bounds of the latency and time-to-first-byte buckets, in seconds (and microseconds).
inline constexpr std::array<double, 15> kLatencyBounds = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
inline constexpr size_t kLatencyBuckets = kLatencyBounds.size() + 1;  // with +Inf
// The bucket an observation of `us` microseconds falls in (le: a bound holds itself).
size_t latency_bucket(uint64_t us);

enum class TokenKind : uint8_t { kInput, kOutput, kCachedInput, kCacheCreation, kReasoning };
inline constexpr size_t kTokenKinds = 5;
std::string_view token_kind_name(TokenKind k);  // "input", ..., "reasoning"

// What the completion point knows of one request, as views valid during the call.
struct RequestSample {
  const config::Model* model = nullptr;  // the canonical entry it resolved to, or null
  bool named_model = false;              // the client named a model (configured or not)
  std::string_view upstream;             // the deployment it went to; "" when none
  std::string_view key_id;               // admission's key id ("anonymous" without a key)
  int status = 0;                        // of the answer the client got; 0: none
  uint64_t total_us = 0;
  uint64_t ttfb_us = 0;  // to the upstream's first byte; 0: none came
  uint32_t tap_drops = 0;
  admission::Refusal refusal;  // kind kNone unless admission refused
};

// A chain of counter blocks, newest first. The writer adopts layouts; any thread reads.
template <class Block>
class BlockChain {
 public:
  // Writer thread. A layout with the same names keeps the current block.
  void adopt(std::shared_ptr<const MetricsLayout> layout) {
    if (newest_ && newest_->layout->same_as(*layout)) return;
    auto b = std::make_unique<Block>(std::move(layout));
    b->older = std::move(newest_);
    newest_ = std::move(b);
    head_.store(newest_.get(), std::memory_order_release);
  }
  Block* current() { return newest_.get(); }  // writer thread; null before the first adopt
  const Block* head() const { return head_.load(std::memory_order_acquire); }

 private:
  std::unique_ptr<Block> newest_;  // owns the chain through each block's `older`
  std::atomic<const Block*> head_{nullptr};
};

// A histogram per model: counts per bucket, and the sum of observations in microseconds.
struct ModelHistograms {
  explicit ModelHistograms(size_t models)
      : counts(new Counter[models * kLatencyBuckets]), sum_us(new Counter[models]) {}
  void observe(size_t model, uint64_t us) {
    counts[model * kLatencyBuckets + latency_bucket(us)].add();
    sum_us[model].add(us);
  }
  std::unique_ptr<Counter[]> counts, sum_us;
};

// One shard's counters for requests, in the shape of one layout.
struct RequestBlock {
  explicit RequestBlock(std::shared_ptr<const MetricsLayout> l);
  std::shared_ptr<const MetricsLayout> layout;
  std::unique_ptr<Counter[]> requests;  // [route][team][status class]
  ModelHistograms duration, ttfb;
  std::unique_ptr<RequestBlock> older;
};

// Admission refusals: the dimensions are fixed (scope, limit, period), not configured.
inline constexpr size_t kScopes = 4;      // admission::Scope
inline constexpr size_t kLimitKinds = 8;  // admission::LimitKind, then the anonymous table
inline constexpr size_t kBudgetPeriods = 3;

class ShardMetrics {
 public:
  // The shard's thread, at start and when it adopts a reloaded snapshot.
  void adopt(std::shared_ptr<const MetricsLayout> layout) { blocks_.adopt(std::move(layout)); }
  // The shard's thread, at a request's completion point. No lock, no allocation.
  void on_request(const RequestSample& s);

  // Read by the scrape, on any thread.
  const RequestBlock* blocks() const { return blocks_.head(); }
  uint64_t auth_failures(bool missing_key) const { return auth_[missing_key ? 0 : 1].get(); }
  uint64_t limit_refusals(size_t scope, size_t limit) const {
    return limits_[scope * kLimitKinds + limit].get();
  }
  uint64_t budget_refusals(size_t scope, size_t period) const {
    return budgets_[scope * kBudgetPeriods + period].get();
  }
  uint64_t access_refusals(bool path) const { return access_[path ? 1 : 0].get(); }
  uint64_t tap_drops() const { return tap_drops_.get(); }

 private:
  void on_refusal(const admission::Refusal& r);

  BlockChain<RequestBlock> blocks_;
  std::array<Counter, 2> auth_;  // missing key, invalid key
  std::array<Counter, kScopes * kLimitKinds> limits_;
  std::array<Counter, kScopes * kBudgetPeriods> budgets_;
  std::array<Counter, 2> access_;  // model not allowed, path not allowed
  Counter tap_drops_;
};

// One layout's usage counters.
struct UsageBlock {
  explicit UsageBlock(std::shared_ptr<const MetricsLayout> l);
  std::shared_ptr<const MetricsLayout> layout;
  std::unique_ptr<Counter[]> tokens;       // [model][team][token kind]
  std::unique_ptr<Counter[]> cost_micros;  // [model][team]
  std::unique_ptr<UsageBlock> older;
};

struct TokenCounts {
  std::array<uint64_t, kTokenKinds> by_kind{};  // indexed by TokenKind
};

// Tokens and cost, written only by the accounting thread once it knows a request's usage.
class AccountingMetrics {
 public:
  // Accounting thread. Indices are into the adopted layout (layout()->model_index(...) and
  // team_of_key(...)); an index out of range folds into "other".
  void adopt(std::shared_ptr<const MetricsLayout> layout) { blocks_.adopt(std::move(layout)); }
  const MetricsLayout* layout() {
    return blocks_.current() ? blocks_.current()->layout.get() : nullptr;
  }
  void on_usage(size_t model, size_t team, const TokenCounts& tokens, uint64_t cost_micros);

  const UsageBlock* blocks() const { return blocks_.head(); }

 private:
  BlockChain<UsageBlock> blocks_;
};

// Budget alerts and their webhook. The alert counters' dimensions are fixed (scope key or team,
// period, a threshold of 1..1000 percent), never ids, so nothing here grows with keys or requests.
// One writer each: the accounting thread counts alerts and queue drops, the webhook thread
// deliveries, failures and retries.
class AlertMetrics {
 public:
  static constexpr size_t kScopes = 2, kMaxPercent = 1000;
  AlertMetrics() : alerts_(new Counter[kScopes * kBudgetPeriods * (kMaxPercent + 1)]) {}
  void on_alert(size_t scope, size_t period, size_t percent) { at(scope, period, percent).add(); }
  uint64_t alerts(size_t scope, size_t period, size_t percent) const {
    return at(scope, period, percent).get();
  }
  Counter webhook_delivered, webhook_failed, webhook_dropped, webhook_retries;

 private:
  Counter& at(size_t scope, size_t period, size_t percent) const {
    return alerts_[(std::min(scope, kScopes - 1) * kBudgetPeriods +
                    std::min(period, kBudgetPeriods - 1)) *
                       (kMaxPercent + 1) +
                   std::min(percent, kMaxPercent)];
  }
  std::unique_ptr<Counter[]> alerts_;
};

// What the scrape reads of one shard.
struct ShardSource {
  const ShardMetrics* metrics = nullptr;
  const RecordRing* records = nullptr;         // its drops are a counter
  std::function<uint64_t()> open_connections;  // read from any thread
};

class PgShipper;

class MetricsRegistry {
 public:
  // Before any shard serves: the set of shards is fixed from then on (render reads it unlocked).
  void add_shard(ShardSource s) { shards_.push_back(std::move(s)); }
  AccountingMetrics& accounting() { return accounting_; }
  AlertMetrics& alerts() { return alerts_; }
  // The ledger's backlog in records, set by whoever writes the ledger (any thread).
  void set_ledger_lag(uint64_t records) { ledger_lag_.store(records, std::memory_order_relaxed); }
  // The fleet ledger's shipper, before any shard serves; it outlives the shards.
  void set_pg_shipper(const PgShipper* shipper) { pg_shipper_ = shipper; }

  // Any thread. Bounded work: the blocks' sizes come from configs, never from requests.
  // open_access: the scraping request's snapshot says [auth] mode = "none".
  void render(bool open_access, std::string& out) const;

 private:
  std::vector<ShardSource> shards_;
  AccountingMetrics accounting_;
  AlertMetrics alerts_;
  std::atomic<uint64_t> ledger_lag_{0};
  const PgShipper* pg_shipper_ = nullptr;
};

}  // namespace ringgate::telemetry
