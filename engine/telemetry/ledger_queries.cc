#include "engine/telemetry/ledger_queries.h"

namespace ringgate::telemetry {

std::string numbered_placeholders(size_t first, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i) out += ", ";
    out += "$" + std::to_string(first + i);
  }
  return out;
}

const char* const kSpendByScopeSql =
    "SELECT 'key:' || key_id, SUM(CASE WHEN unix_ms >= $1 THEN cost_micros ELSE 0 END), "
    "SUM(CASE WHEN unix_ms >= $2 THEN cost_micros ELSE 0 END), SUM(cost_micros) "
    "FROM requests WHERE key_id <> '' GROUP BY key_id "
    "UNION ALL SELECT 'team:' || team, SUM(CASE WHEN unix_ms >= $1 THEN cost_micros ELSE 0 END), "
    "SUM(CASE WHEN unix_ms >= $2 THEN cost_micros ELSE 0 END), SUM(cost_micros) "
    "FROM requests WHERE team <> '' GROUP BY team";

std::string usage_sql(UsageGrouping by) {
  const char* group = by == UsageGrouping::kKey    ? "key_id"
                      : by == UsageGrouping::kTeam ? "team"
                      : by == UsageGrouping::kNode ? "node"
                                                   : "CASE WHEN model_served <> '' THEN "
                                                     "model_served ELSE model_requested END";
  return std::string("SELECT ") + group +
         ", COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens), "
         "SUM(cache_creation_tokens), SUM(cost_micros) FROM requests WHERE unix_ms >= $1 "
         "GROUP BY 1 ORDER BY 7 DESC, 1";
}

}  // namespace ringgate::telemetry
