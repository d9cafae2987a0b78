#include "engine/telemetry/managed_key_db.h"

#include <cstring>

namespace ringgate::telemetry {

namespace {

// Another writer (the ledger's thread) may hold the write lock for a commit.
constexpr int kBusyTimeoutMs = 5000;

void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
}

void bind_optional(sqlite3_stmt* s, int i, const std::optional<int64_t>& v) {
  if (v) {
    sqlite3_bind_int64(s, i, *v);
  } else {
    sqlite3_bind_null(s, i);
  }
}

std::optional<int64_t> column_optional(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(s, i);
}

std::string column_text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t), size_t(sqlite3_column_bytes(s, i)))
           : std::string();
}

}  // namespace

std::unique_ptr<ManagedKeyDb> ManagedKeyDb::open(const std::string& path, std::string& error) {
  ledger_db::Db db = ledger_db::open(path, ledger_db::Mode::kWrite, kBusyTimeoutMs, error);
  if (!db) return nullptr;
  return std::unique_ptr<ManagedKeyDb>(new ManagedKeyDb(std::move(db)));
}

bool ManagedKeyDb::load(std::vector<ManagedKeyRow>& out, std::string& error) {
  ledger_db::Stmt s = ledger_db::prepare(db_.get(),
                                         "SELECT id, sha256, team, created_at, expires_at, "
                                         "revoked_at, expiry_logged FROM managed_keys ORDER BY "
                                         "rowid",
                                         error);
  if (!s) return false;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    ManagedKeyRow r;
    r.id = column_text(s.get(), 0);
    if (sqlite3_column_bytes(s.get(), 1) != int(r.sha256.size())) continue;  // not ours: skipped
    std::memcpy(r.sha256.data(), sqlite3_column_blob(s.get(), 1), r.sha256.size());
    r.team = column_text(s.get(), 2);
    r.created_at = sqlite3_column_int64(s.get(), 3);
    r.expires_at = column_optional(s.get(), 4);
    r.revoked_at = column_optional(s.get(), 5);
    r.expiry_logged = sqlite3_column_int64(s.get(), 6) != 0;
    out.push_back(std::move(r));
  }
  if (rc == SQLITE_DONE) return true;
  error = sqlite3_errmsg(db_.get());
  return false;
}

ManagedKeyDb::Insert ManagedKeyDb::insert(const ManagedKeyRow& row, std::string& error) {
  ledger_db::Stmt s = ledger_db::prepare(
      db_.get(),
      "INSERT INTO managed_keys (id, sha256, team, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      error);
  if (!s) return Insert::kFailed;
  bind_text(s.get(), 1, row.id);
  sqlite3_bind_blob(s.get(), 2, row.sha256.data(), int(row.sha256.size()), SQLITE_TRANSIENT);
  bind_text(s.get(), 3, row.team);
  sqlite3_bind_int64(s.get(), 4, row.created_at);
  bind_optional(s.get(), 5, row.expires_at);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return Insert::kOk;
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) return Insert::kExists;
  error = sqlite3_errmsg(db_.get());
  return Insert::kFailed;
}

ManagedKeyDb::Revoke ManagedKeyDb::revoke(std::string_view id, int64_t now, std::string& error) {
  ledger_db::Stmt s = ledger_db::prepare(
      db_.get(), "UPDATE managed_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
      error);
  if (!s) return Revoke::kFailed;
  sqlite3_bind_int64(s.get(), 1, now);
  bind_text(s.get(), 2, id);
  if (sqlite3_step(s.get()) != SQLITE_DONE) {
    error = sqlite3_errmsg(db_.get());
    return Revoke::kFailed;
  }
  if (sqlite3_changes(db_.get()) == 1) return Revoke::kOk;
  ledger_db::Stmt q =
      ledger_db::prepare(db_.get(), "SELECT 1 FROM managed_keys WHERE id = ?", error);
  if (!q) return Revoke::kFailed;
  bind_text(q.get(), 1, id);
  return sqlite3_step(q.get()) == SQLITE_ROW ? Revoke::kAlreadyRevoked : Revoke::kUnknown;
}

bool ManagedKeyDb::mark_expiry_logged(std::string_view id, std::string& error) {
  ledger_db::Stmt s = ledger_db::prepare(
      db_.get(), "UPDATE managed_keys SET expiry_logged = 1 WHERE id = ?", error);
  if (!s) return false;
  bind_text(s.get(), 1, id);
  if (sqlite3_step(s.get()) == SQLITE_DONE) return true;
  error = sqlite3_errmsg(db_.get());
  return false;
}

}  // namespace ringgate::telemetry
