// One request as the usage ledger keeps it: what the accounting thread writes for every record it
// takes off the rings. Owning strings are fine here: rows are built off the shard.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/telemetry/request_record.h"

namespace ringgate::telemetry {

struct LedgerRow {
  int64_t id = 0;  // the row's id in the node's ledger file once written (read back); 0 before
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

// Every stored column but the id, in the schema's order (kLedgerColumns): text(value) for the
// text columns, integer(value) for the others. Writers bind with it, the fleet ledger encodes.
template <typename Text, typename Integer>
void visit_ledger_fields(const LedgerRow& r, Text text, Integer integer) {
  text(r.request_id);
  integer(r.unix_ms);
  for (const std::string* t :
       {&r.key_id, &r.team, &r.client_address, &r.model_requested, &r.model_served, &r.deployment})
    text(*t);
  integer(int64_t(r.status));
  text(r.outcome);
  for (int64_t v : {r.input_tokens, r.output_tokens, r.cached_input_tokens, r.cache_creation_tokens,
                    r.reasoning_tokens})
    integer(v);
  text(r.usage_source);
  integer(r.cost_micros);
  text(r.cache_result);
  for (int64_t v : {int64_t(r.attempts), r.admission_us, r.cache_us, r.connect_us, r.ttfb_us,
                    r.total_us, int64_t(r.taps_complete)})
    integer(v);
}

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
