// The node's semantic cache from [cache.semantic] at start: the index, the embedder the config
// names and the writer thread. Sized at start like the exact cache: a reload may turn the lookup
// off or on (when it was on at start) and change thresholds, never the embedder or the index.
#include <cstdio>

#include "cache/local_embedder.h"
#include "cache/remote_embedder.h"
#include "cache/semantic_cache.h"
#include "cache/semantic_writer.h"
#include "engine/gateway/gateway.h"
#include "engine/telemetry/embedding_transport.h"

namespace ringgate::gateway {

namespace {

// Insertions waiting for the writer; more are dropped (each is one stored answer's vector).
constexpr size_t kWriterQueue = 1024;

std::unique_ptr<cache::Embedder> make_embedder(const config::SemanticCacheConfig& sc) {
  if (sc.embedder == config::SemanticEmbedderKind::kLocal) {
    return std::make_unique<cache::LocalEmbedder>(sc.local_dims);
  }
  const config::RemoteEmbedderConfig& r = sc.remote;
  cache::RemoteEmbedderOptions o;
  o.model = r.model;
  o.dims = r.dims;
  o.timeout_ms = int(r.timeout_ms);
  o.queue_capacity = r.queue;
  return std::make_unique<cache::RemoteEmbedder>(
      o, telemetry::make_embedding_transport(r.endpoint, r.api_key));
}

}  // namespace

void Gateway::start_semantic_cache(const config::CacheConfig& cc) {
  if (!cc.enabled || !cc.semantic.enabled) return;
  const config::SemanticCacheConfig& sc = cc.semantic;
  embedder_ = make_embedder(sc);
  cache::SemanticCacheLimits limits;
  limits.index.dim = embedder_->dim();
  limits.index.m = sc.index.m;
  limits.index.ef_construction = sc.index.ef_construction;
  limits.index.ef_search = sc.index.ef_search;
  limits.ttl_ms = int64_t(sc.ttl_s) * 1000;
  limits.max_vectors = size_t(sc.index.max_vectors);
  semantic_ = std::make_unique<cache::SemanticCache>(limits);
  semantic_writer_ = std::make_unique<cache::SemanticWriter>(*semantic_, kWriterQueue);
  state_.semantic = semantic_.get();
  state_.embedder = embedder_.get();
  state_.semantic_writer = semantic_writer_.get();
  auto* remote = dynamic_cast<cache::RemoteEmbedder*>(embedder_.get());
  state_.remote_embedder = remote;
  std::fprintf(stderr, "semantic cache: embedder %s\n", embedder_->name().c_str());
  // One call at start, so an embedder that is down shows in /readyz before any request (000-M6).
  if (remote) {
    remote->submit("ringgate readiness probe",
                   cache::steady_now_ms() + int64_t(sc.remote.timeout_ms),
                   [](bool, std::span<const float>) {});
  }
}

}  // namespace ringgate::gateway
