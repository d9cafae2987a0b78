// State shared by every shard: read-mostly, never locked on the request path.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/config/runtime.h"
#include "engine/io/dns_resolver.h"
#include "engine/io/tls_server_context.h"
#include "engine/telemetry/admin_ledger_queries.h"
#include "engine/telemetry/admin_series.h"
#include "engine/telemetry/count_worker.h"
#include "engine/telemetry/metrics.h"
#include "engine/telemetry/pg_shipper.h"

namespace ringgate::cache {
class Embedder;
class ExactCache;
class RemoteEmbedder;
class ResponseStore;
class SemanticCache;
class SemanticWriter;
class SingleFlight;
}  // namespace ringgate::cache

namespace ringgate::cluster {
class FleetLimiter;
}  // namespace ringgate::cluster

namespace ringgate::gateway {

class Shard;

struct GatewayState {
  io::DnsResolver* resolver = nullptr;
  telemetry::MetricsRegistry* metrics = nullptr;     // every shard's counters, for the scrape
  const telemetry::PgShipper* pg_shipper = nullptr;  // the fleet ledger's, for /readyz; null: none
  // Counts prompts off the shards (a queue per shard, by shard id); null when counting is off.
  telemetry::CountWorker* count_worker = nullptr;
  // Recent translated Responses conversations, for previous_response_id (one per node).
  cache::ResponseStore* responses = nullptr;
  // The exact cache's answers (one per node, every shard reads and fills); null when off.
  cache::ExactCache* exact_cache = nullptr;
  cache::SingleFlight* flights = nullptr;  // the exact cache's identical misses in flight
  // The semantic cache (with the exact cache, when [cache.semantic] was on at start): the index,
  // the embedder (remote_embedder too when it is the remote one, for health), and the thread
  // that inserts off the shards.
  cache::SemanticCache* semantic = nullptr;
  cache::Embedder* embedder = nullptr;
  cache::RemoteEmbedder* remote_embedder = nullptr;
  cache::SemanticWriter* semantic_writer = nullptr;
  cluster::FleetLimiter* fleet = nullptr;  // [cluster]: fleet-wide limits; null without
  // What the store's own stats do not see, for the scrape: lookups skipped (bypass), time spent
  // in the cache (000-L3), answers kept and copies dropped at the fill.
  struct CacheCounters {
    std::atomic<uint64_t> bypasses{0}, lookup_us{0}, lookups{0}, stores{0}, fill_dropped{0},
        coalesced{0}, followers_waiting{0};
  } cache_counters;
  // The admin API's view of traffic, published by the accounting thread; null before it runs.
  const telemetry::AdminSeries* admin_series = nullptr;
  // Runs /admin/requests on the ledger off the shards; null without a ledger.
  telemetry::AdminLedgerQueries* admin_ledger = nullptr;
  // Every shard, set before any serves: the admin API reads their counters and shown states.
  std::vector<const Shard*> shards;
  int64_t started_unix_s = 0;
  std::atomic<bool> draining{false};
  std::atomic<unsigned> shards_ready{0};
  unsigned shard_count = 0;
  uint32_t drain_timeout_ms = 10000;

  bool ready() const {
    return !draining.load(std::memory_order_relaxed) &&
           shards_ready.load(std::memory_order_relaxed) == shard_count;
  }

  // The snapshot new requests start on. The reload thread publishes it; a shard reads it when
  // it starts and when woken for a reload, never per request, so a mutex costs nothing there.
  void publish(std::shared_ptr<const config::Runtime> next) {
    std::lock_guard lock(runtime_mu_);
    runtime_ = std::move(next);
  }
  std::shared_ptr<const config::Runtime> runtime() const {
    std::lock_guard lock(runtime_mu_);
    return runtime_;
  }

  // The TLS context new connections on a TLS listener get (null: no TLS listener); published
  // with the runtime at start and at every reload, read by a shard only then.
  void publish_server_tls(std::shared_ptr<io::TlsServerContext> next) {
    std::lock_guard lock(runtime_mu_);
    server_tls_ = std::move(next);
  }
  std::shared_ptr<io::TlsServerContext> server_tls() const {
    std::lock_guard lock(runtime_mu_);
    return server_tls_;
  }

 private:
  mutable std::mutex runtime_mu_;
  std::shared_ptr<const config::Runtime> runtime_;
  std::shared_ptr<io::TlsServerContext> server_tls_;
};

}  // namespace ringgate::gateway
