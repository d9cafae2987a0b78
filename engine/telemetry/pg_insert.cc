#include "engine/telemetry/pg_insert.h"

#include <simdjson.h>

#include <algorithm>

#include "engine/telemetry/ledger_queries.h"

namespace ringgate::telemetry {
namespace {

// PostgreSQL refuses a TEXT value that is not UTF-8 (and the whole batch with it, for good) and
// libpq ends a parameter at a NUL; such a value (a client's odd request id) keeps its ASCII.
std::string pg_text(const std::string& v) {
  const bool clean =
      v.find('\0') == std::string::npos && simdjson::validate_utf8(v.data(), v.size());
  if (clean) return v;
  std::string out = v;
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\0' || (unsigned char)c >= 0x80; }, '?');
  return out;
}

}  // namespace

// BIGINT everywhere the node's file has INTEGER (SQLite's are 64-bit). The primary key is the
// dedup key; the indexes serve the same sums as the node file's.
const char* const kPgLedgerSchema = R"(
CREATE TABLE IF NOT EXISTS requests (
  node TEXT NOT NULL,
  ledger_id TEXT NOT NULL,
  row_id BIGINT NOT NULL,
  request_id TEXT NOT NULL,
  unix_ms BIGINT NOT NULL,
  key_id TEXT NOT NULL,
  team TEXT NOT NULL,
  client_address TEXT NOT NULL,
  model_requested TEXT NOT NULL,
  model_served TEXT NOT NULL,
  deployment TEXT NOT NULL,
  status BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cached_input_tokens BIGINT NOT NULL,
  cache_creation_tokens BIGINT NOT NULL,
  reasoning_tokens BIGINT NOT NULL,
  usage_source TEXT NOT NULL,
  cost_micros BIGINT NOT NULL,
  cache_result TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  admission_us BIGINT NOT NULL,
  cache_us BIGINT NOT NULL,
  connect_us BIGINT NOT NULL,
  ttfb_us BIGINT NOT NULL,
  total_us BIGINT NOT NULL,
  taps_complete BIGINT NOT NULL,
  PRIMARY KEY (ledger_id, row_id)
);
CREATE INDEX IF NOT EXISTS requests_by_time ON requests (unix_ms);
CREATE INDEX IF NOT EXISTS requests_by_key ON requests (key_id, unix_ms, cost_micros);
CREATE INDEX IF NOT EXISTS requests_by_team ON requests (team, unix_ms, cost_micros);
CREATE INDEX IF NOT EXISTS requests_by_node ON requests (node, unix_ms);
)";

PgInsert encode_pg_insert(std::string_view node, std::string_view ledger_id,
                          const std::vector<LedgerRow>& rows) {
  PgInsert out;
  out.sql =
      "INSERT INTO requests (node, ledger_id, row_id, " + std::string(kLedgerColumns) + ") VALUES ";
  out.values.reserve(rows.size() * kPgParamsPerRow);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i) out.sql += ", ";
    out.sql += "(" + numbered_placeholders(1 + i * kPgParamsPerRow, kPgParamsPerRow) + ")";
    const LedgerRow& r = rows[i];
    out.values.push_back(pg_text(std::string(node)));
    out.values.emplace_back(ledger_id);
    out.values.push_back(std::to_string(r.id));
    visit_ledger_fields(
        r, [&](const std::string& v) { out.values.push_back(pg_text(v)); },
        [&](int64_t v) { out.values.push_back(std::to_string(v)); });
  }
  out.sql += " ON CONFLICT (ledger_id, row_id) DO NOTHING";
  return out;
}

}  // namespace ringgate::telemetry
