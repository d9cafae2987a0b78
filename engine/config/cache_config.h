// [cache]: the node's exact cache (cache/exact_cache.h) and who shares its entries. Each
// [[models]] entry may set its own `cache` policy; passthrough uses [cache] policy.
#pragma once

#include <cstdint>

#include "cache/canonical_request.h"
#include "engine/config/semantic_cache_config.h"

namespace ringgate::config {

// Whose answers a cached entry may serve: the caller's key only, or every key of its team (a key
// without a team is its own scope). Callers without a key share "anonymous" only where the
// gateway has no keys at all ([auth] mode = "none").
enum class CacheScope : uint8_t { kKey, kTeam };

struct CacheConfig {
  bool enabled = false;
  CacheScope scope = CacheScope::kKey;
  int64_t ttl_ms = 3'600'000;  // ttl_s in the file
  int64_t max_bytes = 256 << 20;
  int64_t max_entry_bytes = 4 << 20;
  // The default of every [[models]] entry's `cache`, and the policy in passthrough.
  cache::CachePolicy policy = cache::CachePolicy::kTemperatureZero;
  // Single flight: identical concurrent misses share one upstream call; a follower waits at most
  // coalesce_wait_ms for it, then goes upstream on its own. At most max_followers per call.
  bool coalesce = true;
  uint32_t coalesce_wait_ms = 30000;
  uint32_t max_followers = 64;
  SemanticCacheConfig semantic;  // [cache.semantic]
};

}  // namespace ringgate::config
