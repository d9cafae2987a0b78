// The SQL the node's SQLite ledger and the fleet's PostgreSQL ledger share: the column list and
// the sums. Placeholders are written $1, $2 ...: PostgreSQL's form, which SQLite also binds by
// position when they first appear in order.
#pragma once

#include <cstddef>
#include <string>

#include "engine/telemetry/ledger_reader.h"

namespace ringgate::telemetry {

// LedgerRow's stored columns (without the id), in visit_ledger_fields' order.
inline constexpr const char* kLedgerColumns =
    "request_id, unix_ms, key_id, team, client_address, model_requested, model_served, "
    "deployment, status, outcome, input_tokens, output_tokens, cached_input_tokens, "
    "cache_creation_tokens, reasoning_tokens, usage_source, cost_micros, cache_result, attempts, "
    "admission_us, cache_us, connect_us, ttfb_us, total_us, taps_complete";
inline constexpr size_t kLedgerFieldCount = 25;

// "$first, $first+1, ..." (count of them).
std::string numbered_placeholders(size_t first, size_t count);

// Each key's and team's spend: $1 the UTC day's start, $2 the month's (ms). Rows: scope, day,
// month, all time.
extern const char* const kSpendByScopeSql;

// Sums per group of the rows completed at or after $1 (ms), costliest first. kNode needs the
// fleet ledger's node column.
std::string usage_sql(UsageGrouping by);

}  // namespace ringgate::telemetry
