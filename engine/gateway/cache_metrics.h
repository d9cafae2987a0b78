// The exact cache's health for /metrics: the node-wide store's counters and size, and what the
// shards counted around it (bypasses, fills, time spent in the cache apart from upstream time).
#pragma once

#include <string>

#include "engine/gateway/gateway_state.h"

namespace ringgate::gateway {

// Nothing when the node has no exact cache.
void append_cache_metrics(const GatewayState& state, std::string& out);

}  // namespace ringgate::gateway
