#include "engine/gateway/cache_metrics.h"

#include "cache/exact_cache.h"
#include "cache/single_flight.h"
#include "protocol/prometheus_text.h"

namespace ringgate::gateway {

namespace {

void one(protocol::PrometheusWriter& w, std::string_view name, protocol::MetricType type,
         std::string_view help, uint64_t v) {
  w.family(name, type, help);
  w.sample(name, {}, v);
}

}  // namespace

void append_cache_metrics(const GatewayState& state, std::string& out) {
  if (!state.exact_cache) return;
  using protocol::MetricType;
  const cache::ExactCacheStats s = state.exact_cache->stats();
  const GatewayState::CacheCounters& c = state.cache_counters;
  auto load = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  protocol::PrometheusWriter w(out);
  one(w, "ringgate_cache_hits_total", MetricType::kCounter, "Exact cache lookups answered.",
      s.hits);
  one(w, "ringgate_cache_misses_total", MetricType::kCounter,
      "Exact cache lookups that found no live entry of the caller's scope.", s.misses);
  one(w, "ringgate_cache_bypasses_total", MetricType::kCounter,
      "Cacheable-path requests the cache did not look up (policy, headers, no scope).",
      load(c.bypasses));
  one(w, "ringgate_cache_coalesced_total", MetricType::kCounter,
      "Identical concurrent misses answered from their single flight's leader.", load(c.coalesced));
  one(w, "ringgate_cache_flights", MetricType::kGauge,
      "Single flights running now (one upstream call each).",
      state.flights ? state.flights->in_flight() : 0);
  one(w, "ringgate_cache_followers_waiting", MetricType::kGauge,
      "Requests waiting now for an identical request's upstream call.", load(c.followers_waiting));
  one(w, "ringgate_cache_stores_total", MetricType::kCounter, "Complete answers kept.",
      load(c.stores));
  one(w, "ringgate_cache_fill_dropped_total", MetricType::kCounter,
      "Answers not kept because they passed max_entry_bytes.", load(c.fill_dropped) + s.refused);
  one(w, "ringgate_cache_evictions_total", MetricType::kCounter,
      "Entries evicted for the byte budget.", s.evictions);
  one(w, "ringgate_cache_expirations_total", MetricType::kCounter, "Entries found expired.",
      s.expirations);
  one(w, "ringgate_cache_entries", MetricType::kGauge, "Entries in the exact cache.", s.entries);
  one(w, "ringgate_cache_bytes", MetricType::kGauge, "Bytes the exact cache's entries hold.",
      s.bytes);
  one(w, "ringgate_cache_lookups_total", MetricType::kCounter,
      "Requests the cache stage handled (hit, miss or bypass).", load(c.lookups));
  one(w, "ringgate_cache_time_microseconds_total", MetricType::kCounter,
      "Time spent in the cache stage (key, lookup, replay), apart from upstream time.",
      load(c.lookup_us));
}

}  // namespace ringgate::gateway
