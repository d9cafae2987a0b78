// The fleet ledger's batch encoding: one multi-row INSERT whose placeholders and values line up
// with the column list, values never spliced into the SQL, the dedup key on every row, and text
// PostgreSQL would refuse (NUL, invalid UTF-8) made safe instead of wedging the shipper.
#include "engine/telemetry/pg_insert.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/telemetry/ledger_queries.h"

namespace ringgate::telemetry {
namespace {

LedgerRow row(int64_t id, std::string request_id) {
  LedgerRow r;
  r.id = id;
  r.request_id = std::move(request_id);
  r.unix_ms = 1773576000123;
  r.key_id = "k1";
  r.team = "t";
  r.model_requested = "gpt-4o-mini";
  r.status = 200;
  r.input_tokens = 11;
  r.output_tokens = 5;
  r.cost_micros = 62;
  r.attempts = 1;
  r.total_us = 900;
  r.taps_complete = false;
  return r;
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size()) ++n;
  return n;
}

TEST(PgInsert, ValuesFollowTheColumnsRowByRow) {
  const PgInsert ins = encode_pg_insert("node-a", "f00d", {row(7, "r7"), row(8, "r8")});
  ASSERT_EQ(ins.values.size(), 2 * kPgParamsPerRow);
  EXPECT_EQ(kPgParamsPerRow, 3 + kLedgerFieldCount);
  // node, ledger_id, row_id, then the file's columns in order.
  const std::vector<std::string> first(ins.values.begin(), ins.values.begin() + 8);
  EXPECT_EQ(first, (std::vector<std::string>{"node-a", "f00d", "7", "r7", "1773576000123", "k1",
                                             "t", ""}));
  EXPECT_EQ(ins.values[kPgParamsPerRow + 2], "8");
  EXPECT_EQ(ins.values[kPgParamsPerRow + 3], "r8");
  EXPECT_EQ(ins.values[kPgParamsPerRow - 1], "0");  // taps_complete false
  EXPECT_EQ(ins.values[3 + 8], "200");              // status
}

TEST(PgInsert, PlaceholdersNumberEveryValueOnce) {
  const PgInsert ins = encode_pg_insert("n", "id", {row(1, "a"), row(2, "b"), row(3, "c")});
  EXPECT_EQ(count_of(ins.sql, "$"), ins.values.size());
  EXPECT_NE(ins.sql.find("($1, $2, $3,"), std::string::npos);
  EXPECT_NE(ins.sql.find("($29, $30,"), std::string::npos);
  EXPECT_NE(ins.sql.find("$84)"), std::string::npos);
  EXPECT_EQ(ins.sql.find("$85"), std::string::npos);
  EXPECT_EQ(count_of(ins.sql, "), ("), 2u);
  EXPECT_TRUE(ins.sql.ends_with("ON CONFLICT (ledger_id, row_id) DO NOTHING"));
}

TEST(PgInsert, ValuesNeverReachTheSql) {
  const PgInsert ins = encode_pg_insert("n'; DROP TABLE requests; --", "id", {row(1, "it's")});
  EXPECT_EQ(ins.sql.find("DROP"), std::string::npos);
  EXPECT_EQ(ins.sql.find("it's"), std::string::npos);
  EXPECT_EQ(ins.values[0], "n'; DROP TABLE requests; --");
  EXPECT_EQ(ins.values[3], "it's");
}

TEST(PgInsert, TextPostgresRefusesKeepsItsAscii) {
  LedgerRow r = row(1, std::string("a\0b", 3));
  r.model_requested = "caf\xc3\xa9";  // valid UTF-8 passes untouched
  r.client_address = "x\xff\xfey";    // not UTF-8
  const PgInsert ins = encode_pg_insert("n", "id", {r});
  EXPECT_EQ(ins.values[3], "a?b");
  EXPECT_EQ(ins.values[3 + 5], "caf\xc3\xa9");
  EXPECT_EQ(ins.values[3 + 4], "x??y");
}

TEST(PgInsert, BatchBoundKeepsUnderPostgresParameterLimit) {
  EXPECT_LE(kPgMaxBatchRows * kPgParamsPerRow, 65535u);
  std::vector<LedgerRow> rows;
  for (size_t i = 0; i < kPgMaxBatchRows; ++i) rows.push_back(row(int64_t(i + 1), "r"));
  const PgInsert ins = encode_pg_insert("n", "id", rows);
  EXPECT_EQ(ins.values.size(), kPgMaxBatchRows * kPgParamsPerRow);
  EXPECT_NE(ins.sql.find("$" + std::to_string(ins.values.size()) + ")"), std::string::npos);
}

TEST(LedgerQueries, NumberedPlaceholders) {
  EXPECT_EQ(numbered_placeholders(1, 3), "$1, $2, $3");
  EXPECT_EQ(numbered_placeholders(29, 1), "$29");
  EXPECT_EQ(numbered_placeholders(5, 0), "");
  EXPECT_EQ(count_of(kLedgerColumns, ",") + 1, kLedgerFieldCount);
}

}  // namespace
}  // namespace ringgate::telemetry
