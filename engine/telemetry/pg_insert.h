// A batch of ledger rows as one PostgreSQL statement for the fleet ledger: a multi-row INSERT
// with every value a text parameter (never spliced into the SQL), keyed by the node's ledger file
// and the row's id in it, so a batch sent again after a crash or a lost reply inserts nothing
// twice. Also the fleet table's schema: the node file's columns plus node, ledger_id and row_id.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/telemetry/ledger_row.h"

namespace ringgate::telemetry {

// node, ledger_id, row_id, then the node file's columns.
inline constexpr size_t kPgParamsPerRow = 28;
// PostgreSQL takes at most 65535 parameters in one statement.
inline constexpr size_t kPgMaxBatchRows = 65535 / kPgParamsPerRow;

// CREATE TABLE IF NOT EXISTS and its indexes; safe to run on every connect.
extern const char* const kPgLedgerSchema;

struct PgInsert {
  std::string sql;                  // $1.. placeholders, ON CONFLICT DO NOTHING
  std::vector<std::string> values;  // rows.size() * kPgParamsPerRow, in placeholder order
};

// rows: 1 to kPgMaxBatchRows rows read back from the node's file (their ids set).
PgInsert encode_pg_insert(std::string_view node, std::string_view ledger_id,
                          const std::vector<LedgerRow>& rows);

}  // namespace ringgate::telemetry
