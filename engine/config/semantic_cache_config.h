// [cache.semantic]: the semantic cache's embedder, index, TTL and per-model thresholds. Read by
// read_semantic_cache() (semantic_cache_loader.h) from the [cache] table.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/config/alerts_config.h"

namespace ringgate::config {

enum class SemanticEmbedderKind : uint8_t { kLocal, kRemote };

struct RemoteEmbedderConfig {
  std::string url;           // the base as written, e.g. "http://127.0.0.1:9000"
  WebhookTarget endpoint;    // {url}/v1/embeddings, parsed (tls, host, port, target)
  std::string model;         // sent as "model"
  std::string api_key_ref;   // "env:NAME" / "file:PATH"; "" for none
  std::string api_key;       // resolved; never logged
  uint32_t timeout_ms = 50;  // hard deadline per call, queueing included
  uint32_t dims = 0;         // required: the answer's dimension
  uint32_t queue = 256;      // waiting calls; more are misses
};

struct SemanticIndexConfig {
  uint32_t m = 16;
  uint32_t ef_construction = 200;
  uint32_t ef_search = 64;
  uint64_t max_vectors = 100000;  // across all namespaces
};

struct SemanticCacheConfig {
  bool enabled = false;
  SemanticEmbedderKind embedder = SemanticEmbedderKind::kLocal;
  uint32_t local_dims = 384;  // the local embedder's dimension
  RemoteEmbedderConfig remote;
  SemanticIndexConfig index;
  uint32_t ttl_s = 3600;
  // Similarity a match needs: per canonical model, for the configured embedder (000-M4).
  double default_threshold = 0.92;
  std::map<std::string, double, std::less<>> thresholds;

  double threshold_for(std::string_view model) const {
    const auto it = thresholds.find(model);
    return it == thresholds.end() ? default_threshold : it->second;
  }
};

}  // namespace ringgate::config
