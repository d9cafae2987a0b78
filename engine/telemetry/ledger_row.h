// One request as the usage ledger keeps it: what the accounting thread writes for every record it
// takes off the rings. Owning strings are fine here: rows are built off the shard.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/telemetry/request_record.h"

namespace ringgate::telemetry {

struct LedgerRow {
  std::string request_id;
  int64_t unix_ms = 0;  // when the request completed: the day and month its cost counts in
  std::string key_id;   // the virtual key's id, or "anonymous"
  std::string team;     // "" when the key has none
  std::string client_address;
  std::string model_requested, model_served;
  std::string deployment;  // today: the upstream's name
  int status = 0;
  std::string outcome = "answered";  // answered | local | upstream_failed | client_gone
  int64_t input_tokens = 0, output_tokens = 0, cached_input_tokens = 0, cache_creation_tokens = 0,
          reasoning_tokens = 0;
  std::string usage_source = "none";  // reported (by the upstream) | counted (tokenizer) | none
  int64_t cost_micros = 0;
  std::string cache_result = "none";
  int attempts = 0;
  // Microseconds from the request's start; 0 where it never got there.
  int64_t admission_us = 0, cache_us = 0, connect_us = 0, ttfb_us = 0, total_us = 0;
  bool taps_complete = true;  // false: an accounting tap dropped a copy; usage may be undercounted
};

// The ledger's word for an outcome.
inline std::string_view ledger_cache_result(CacheResult r) {
  switch (r) {
    case CacheResult::kNone:
      return "none";
    case CacheResult::kBypass:
      return "bypass";
    case CacheResult::kMiss:
      return "miss";
    case CacheResult::kHit:
      return "hit";
    case CacheResult::kCoalesced:
      return "coalesced";
    case CacheResult::kSemantic:
      return "semantic";
  }
  return "none";
}

inline std::string_view ledger_outcome(Outcome o) {
  switch (o) {
    case Outcome::kAnswered:
      return "answered";
    case Outcome::kLocal:
      return "local";
    case Outcome::kUpstreamFailed:
      return "upstream_failed";
    case Outcome::kClientGone:
      return "client_gone";
  }
  return "unknown";
}

}  // namespace ringgate::telemetry
