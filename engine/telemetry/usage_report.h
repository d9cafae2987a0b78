// What `ringgate usage` prints: the --since and --by arguments it takes, and the table or JSON of
// a ledger's sums per key, team or model with a total. Amounts are microdollars shown exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/telemetry/ledger_reader.h"

namespace ringgate::telemetry {

// "30m", "24h", "7d", "90s" (before now), unix seconds ("1773576000"), an ISO date
// ("2026-03-15", UTC midnight) or time ("2026-03-15T12:00:00Z"): the start, in unix seconds.
// nullopt with `why` for anything else.
std::optional<int64_t> parse_since(std::string_view text, int64_t now_s, std::string& why);

std::optional<UsageGrouping> parse_grouping(std::string_view text);  // key | team | model | node
std::string_view grouping_name(UsageGrouping by);

// Six decimals always: 12345 -> "0.012345", -5 -> "-0.000005".
std::string format_usd_fixed(int64_t micros);

// "2026-03-15T12:00:00Z".
std::string iso_utc(int64_t unix_s);

// A header line, one aligned line per group, and a total line.
std::string usage_table(const std::vector<UsageGroup>& groups, UsageGrouping by, int64_t since_s);
// {"since":..., "by":..., "groups":[{"name":..., ...}], "total":{...}}
std::string usage_json(const std::vector<UsageGroup>& groups, UsageGrouping by, int64_t since_s);
// `ringgate usage --rows`: one JSON object per ledger row and line (JSON Lines), every column,
// oldest first: for operators' own tools and for checking the ledger against an upstream.
std::string usage_rows_json_lines(const std::vector<LedgerRow>& rows);

}  // namespace ringgate::telemetry
