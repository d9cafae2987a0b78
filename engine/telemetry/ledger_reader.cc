#include "engine/telemetry/ledger_reader.h"

#include "engine/admission/utc_period.h"
#include "engine/telemetry/ledger_db.h"
#include "engine/telemetry/ledger_queries.h"

namespace ringgate::telemetry {
namespace {

const std::string kSelectRows = "SELECT id, " + std::string(kLedgerColumns) + " FROM requests ";
const std::string kRowsSince = kSelectRows + "WHERE unix_ms >= ?1 ORDER BY unix_ms, id";
const std::string kRowsAfter = kSelectRows + "WHERE id > ?1 ORDER BY id LIMIT ?2";
// One statement for every filter: an empty ?3 or ?4 matches any key or model. Traffic only:
// rows that named a model or reached an upstream, not the gateway's own answers (health, admin).
const std::string kRecentRows = kSelectRows +
                                "WHERE id < ?1 AND unix_ms >= ?2 AND (?3 = '' OR key_id = ?3) "
                                "AND (?4 = '' OR model_requested = ?4) "
                                "AND (model_requested <> '' OR deployment <> '' OR outcome <> "
                                "'local') ORDER BY id DESC LIMIT ?5";

std::string text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t), size_t(sqlite3_column_bytes(s, i)))
           : std::string();
}

LedgerRow read_row(sqlite3_stmt* s) {
  LedgerRow r;
  int i = 0;
  auto next_int = [&] { return sqlite3_column_int64(s, i++); };
  auto next_text = [&] { return text(s, i++); };
  r.id = next_int();
  r.request_id = next_text();
  r.unix_ms = next_int();
  for (std::string* t :
       {&r.key_id, &r.team, &r.client_address, &r.model_requested, &r.model_served, &r.deployment})
    *t = next_text();
  r.status = int(next_int());
  r.outcome = next_text();
  for (int64_t* v : {&r.input_tokens, &r.output_tokens, &r.cached_input_tokens,
                     &r.cache_creation_tokens, &r.reasoning_tokens})
    *v = next_int();
  r.usage_source = next_text();
  r.cost_micros = next_int();
  r.cache_result = next_text();
  r.attempts = int(next_int());
  for (int64_t* v : {&r.admission_us, &r.cache_us, &r.connect_us, &r.ttfb_us, &r.total_us})
    *v = next_int();
  r.taps_complete = next_int() != 0;
  return r;
}

// Steps `s` to its end, calling on_row for each row; false on an error.
template <typename OnRow>
bool each_row(sqlite3* db, sqlite3_stmt* s, std::string& error, OnRow on_row) {
  for (;;) {
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return true;
    if (rc != SQLITE_ROW) {
      error = sqlite3_errmsg(db);
      return false;
    }
    on_row(s);
  }
}

}  // namespace

struct LedgerReader::Db {
  ledger_db::Db db;
};

std::unique_ptr<LedgerReader> LedgerReader::open(const std::string& path, std::string& error) {
  auto db = std::make_unique<Db>();
  db->db = ledger_db::open(path, ledger_db::Mode::kRead, 5000, error);
  if (!db->db) return nullptr;
  return std::unique_ptr<LedgerReader>(new LedgerReader(std::move(db)));
}

LedgerReader::LedgerReader(std::unique_ptr<Db> db) : db_(std::move(db)) {}
LedgerReader::~LedgerReader() = default;

std::optional<std::vector<LedgerRow>> LedgerReader::rows_since(int64_t since_ms,
                                                               std::string& error) {
  return select_rows(kRowsSince, {since_ms}, error);
}

std::optional<std::vector<LedgerRow>> LedgerReader::rows_after(int64_t after_id, size_t limit,
                                                               std::string& error) {
  return select_rows(kRowsAfter, {after_id, int64_t(limit)}, error);
}

std::optional<std::vector<LedgerRow>> LedgerReader::select_rows(
    const std::string& sql, std::initializer_list<int64_t> binds, std::string& error) {
  sqlite3* db = db_->db.get();
  ledger_db::Stmt s = ledger_db::prepare(db, sql.c_str(), error);
  if (!s) return std::nullopt;
  int i = 0;
  for (int64_t v : binds) sqlite3_bind_int64(s.get(), ++i, v);
  std::vector<LedgerRow> rows;
  if (!each_row(db, s.get(), error, [&](sqlite3_stmt* st) { rows.push_back(read_row(st)); }))
    return std::nullopt;
  return rows;
}

std::optional<std::vector<LedgerRow>> LedgerReader::recent_rows(const RecentFilter& f,
                                                                std::string& error) {
  sqlite3* db = db_->db.get();
  ledger_db::Stmt s = ledger_db::prepare(db, kRecentRows.c_str(), error);
  if (!s) return std::nullopt;
  sqlite3_bind_int64(s.get(), 1, f.before_id);
  sqlite3_bind_int64(s.get(), 2, f.since_ms);
  sqlite3_bind_text(s.get(), 3, f.key.data(), int(f.key.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(s.get(), 4, f.model.data(), int(f.model.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(s.get(), 5, int64_t(f.limit));
  std::vector<LedgerRow> rows;
  if (!each_row(db, s.get(), error, [&](sqlite3_stmt* st) { rows.push_back(read_row(st)); }))
    return std::nullopt;
  return rows;
}

std::optional<int64_t> LedgerReader::last_id(std::string& error) {
  sqlite3* db = db_->db.get();
  ledger_db::Stmt s = ledger_db::prepare(db, "SELECT COALESCE(MAX(id), 0) FROM requests", error);
  if (!s) return std::nullopt;
  int64_t id = 0;
  if (!each_row(db, s.get(), error, [&](sqlite3_stmt* st) { id = sqlite3_column_int64(st, 0); }))
    return std::nullopt;
  return id;
}

std::optional<admission::SpendByScope> LedgerReader::spend_by_scope(int64_t unix_s,
                                                                    std::string& error) {
  sqlite3* db = db_->db.get();
  ledger_db::Stmt s = ledger_db::prepare(db, kSpendByScopeSql, error);
  if (!s) return std::nullopt;
  const admission::UtcPeriods p = admission::utc_periods(unix_s);
  sqlite3_bind_int64(s.get(), 1, p.day_start_s * 1000);
  sqlite3_bind_int64(s.get(), 2, p.month_start_s * 1000);
  admission::SpendByScope spend;
  auto add = [&](sqlite3_stmt* st) {
    spend[text(st, 0)] = {sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                          sqlite3_column_int64(st, 3)};
  };
  if (!each_row(db, s.get(), error, add)) return std::nullopt;
  return spend;
}

std::optional<std::vector<UsageGroup>> LedgerReader::usage(int64_t since_ms, UsageGrouping by,
                                                           std::string& error) {
  if (by == UsageGrouping::kNode) {
    error = "--by node reads the fleet ledger (give --postgres): a node's file has one node";
    return std::nullopt;
  }
  sqlite3* db = db_->db.get();
  ledger_db::Stmt s = ledger_db::prepare(db, usage_sql(by).c_str(), error);
  if (!s) return std::nullopt;
  sqlite3_bind_int64(s.get(), 1, since_ms);
  std::vector<UsageGroup> groups;
  auto add = [&](sqlite3_stmt* st) {
    UsageGroup g{text(st, 0)};
    int64_t* v[] = {&g.requests,
                    &g.input_tokens,
                    &g.output_tokens,
                    &g.cached_input_tokens,
                    &g.cache_creation_tokens,
                    &g.cost_micros};
    for (int i = 0; i < 6; ++i) *v[i] = sqlite3_column_int64(st, i + 1);
    groups.push_back(std::move(g));
  };
  if (!each_row(db, s.get(), error, add)) return std::nullopt;
  return groups;
}

std::optional<admission::RestoreCount> restore_budgets_from_ledger(const std::string& path,
                                                                   const config::Config& config,
                                                                   admission::BudgetStore& store,
                                                                   int64_t unix_s,
                                                                   std::string& error) {
  std::unique_ptr<LedgerReader> reader = LedgerReader::open(path, error);
  if (!reader) return std::nullopt;
  std::optional<admission::SpendByScope> spend = reader->spend_by_scope(unix_s, error);
  if (!spend) {
    error = "ledger " + path + ": " + error;
    return std::nullopt;
  }
  return admission::restore_budgets(config, store, *spend, unix_s);
}

}  // namespace ringgate::telemetry
