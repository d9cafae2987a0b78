#include "engine/gateway/cache_metrics.h"

#include "cache/embedder.h"
#include "cache/exact_cache.h"
#include "cache/remote_embedder.h"
#include "cache/semantic_cache.h"
#include "cache/semantic_writer.h"
#include "cache/single_flight.h"
#include "protocol/error_body.h"
#include "protocol/prometheus_text.h"

namespace ringgate::gateway {

namespace {

void one(protocol::PrometheusWriter& w, std::string_view name, protocol::MetricType type,
         std::string_view help, uint64_t v) {
  w.family(name, type, help);
  w.sample(name, {}, v);
}

std::string_view embedder_state(const GatewayState& state) {
  if (!state.remote_embedder) return "up";  // the local one has no way to fail
  const int last = state.remote_embedder->counters().last_call;
  return last > 0 ? "up" : last < 0 ? "down" : "unknown";
}

void append_semantic_metrics(const GatewayState& state, protocol::PrometheusWriter& w) {
  using protocol::MetricType;
  const cache::SemanticCacheStats s = state.semantic->stats();
  const cache::SemanticWriterCounters wc = state.semantic_writer->counters();
  one(w, "ringgate_semantic_cache_entries", MetricType::kGauge,
      "Prompt vectors in the semantic cache.", s.entries);
  one(w, "ringgate_semantic_cache_index_bytes", MetricType::kGauge,
      "Bytes of the semantic cache's index slots.", s.index_bytes);
  one(w, "ringgate_semantic_cache_namespaces", MetricType::kGauge,
      "Semantic cache namespaces (tenant scope, model, embedder).", s.namespaces);
  one(w, "ringgate_semantic_cache_lookups_total", MetricType::kCounter,
      "Semantic cache searches (after an exact miss, with a vector).", s.lookups);
  one(w, "ringgate_semantic_cache_hits_total", MetricType::kCounter,
      "Semantic cache matches at or above their model's threshold.", s.hits);
  one(w, "ringgate_semantic_cache_near_misses_total", MetricType::kCounter,
      "Semantic cache best matches below their model's threshold (misses).", s.near_misses);
  one(w, "ringgate_semantic_cache_inserts_total", MetricType::kCounter,
      "Prompt vectors inserted by the writer thread.", wc.inserted);
  one(w, "ringgate_semantic_cache_inserts_dropped_total", MetricType::kCounter,
      "Prompt vectors not inserted: writer queue full or index full.", wc.dropped + wc.refused);
  if (!state.remote_embedder) return;
  const cache::RemoteEmbedderCounters e = state.remote_embedder->counters();
  one(w, "ringgate_embedder_calls_total", MetricType::kCounter,
      "Calls to the remote embeddings endpoint.", e.calls);
  one(w, "ringgate_embedder_errors_total", MetricType::kCounter,
      "Remote embedding calls that failed (refused, non-2xx, unparsable).", e.errors);
  one(w, "ringgate_embedder_timeouts_total", MetricType::kCounter,
      "Remote embeddings that missed their deadline (in the queue or the call).", e.timeouts);
  one(w, "ringgate_embedder_refused_total", MetricType::kCounter,
      "Remote embeddings refused at once (queue full).", e.refused);
  one(w, "ringgate_embedder_up", MetricType::kGauge,
      "1 when the remote embedder's last call answered, else 0.", embedder_state(state) == "up");
}

}  // namespace

void append_semantic_health_json(const GatewayState& state, std::string& out) {
  if (!state.semantic) return;
  const cache::SemanticCacheStats s = state.semantic->stats();
  out.append(R"(,"semantic_cache":{"embedder":")");
  protocol::append_json_escaped(out, state.embedder->name());
  out.append(R"(","embedder_state":")").append(embedder_state(state));
  out.append(R"(","entries":)").append(std::to_string(s.entries));
  out.append(R"(,"index_bytes":)").append(std::to_string(s.index_bytes));
  out.append(R"(,"namespaces":)").append(std::to_string(s.namespaces));
  if (state.remote_embedder) {
    const cache::RemoteEmbedderCounters e = state.remote_embedder->counters();
    out.append(R"(,"embedder_errors":)").append(std::to_string(e.errors));
    out.append(R"(,"embedder_timeouts":)").append(std::to_string(e.timeouts));
  }
  out.push_back('}');
}

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
  if (state.semantic) append_semantic_metrics(state, w);
}

}  // namespace ringgate::gateway
