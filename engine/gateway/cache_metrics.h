// The caches' health for /metrics: the node-wide exact store's counters and size, what the
// shards counted around it (bypasses, fills, time spent in the cache apart from upstream time),
// and the semantic cache's index, searches and embedder; the latter also for /readyz.
#pragma once

#include <string>

#include "engine/gateway/gateway_state.h"

namespace ringgate::gateway {

// Nothing when the node has no exact cache.
void append_cache_metrics(const GatewayState& state, std::string& out);

// /readyz details: `,"semantic_cache":{...}` (embedder name and state, index size, embedder
// errors and timeouts); nothing when the node has no semantic cache (seed-defect 000-M6).
void append_semantic_health_json(const GatewayState& state, std::string& out);

}  // namespace ringgate::gateway
