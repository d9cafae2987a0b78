#include "engine/telemetry/ledger_db.h"

#include <filesystem>
#include <system_error>

namespace ringgate::telemetry::ledger_db {
namespace {

// Columns in LedgerRow's order. The key and team indexes carry the time and the cost, so the
// budget sums at start read them alone.
constexpr const char* kSchema = R"(
CREATE TABLE requests (
  id INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL,
  unix_ms INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  team TEXT NOT NULL,
  client_address TEXT NOT NULL,
  model_requested TEXT NOT NULL,
  model_served TEXT NOT NULL,
  deployment TEXT NOT NULL,
  status INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_input_tokens INTEGER NOT NULL,
  cache_creation_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  usage_source TEXT NOT NULL,
  cost_micros INTEGER NOT NULL,
  cache_result TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  admission_us INTEGER NOT NULL,
  cache_us INTEGER NOT NULL,
  connect_us INTEGER NOT NULL,
  ttfb_us INTEGER NOT NULL,
  total_us INTEGER NOT NULL,
  taps_complete INTEGER NOT NULL
);
CREATE INDEX requests_by_time ON requests (unix_ms);
CREATE INDEX requests_by_key ON requests (key_id, unix_ms, cost_micros);
CREATE INDEX requests_by_team ON requests (team, unix_ms, cost_micros);
)";

// Version 2. Only the key's SHA-256 is kept; a revoked row stays (its id is never reused, so
// ledger rows under it name one key). expiry_logged: the expiry's audit line was written.
constexpr const char* kManagedKeysSchema = R"(
CREATE TABLE managed_keys (
  id TEXT PRIMARY KEY,
  sha256 BLOB NOT NULL,
  team TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  expiry_logged INTEGER NOT NULL DEFAULT 0
);
)";

std::string sqlite_error(sqlite3* db) { return db ? sqlite3_errmsg(db) : "out of memory"; }

bool query_int(sqlite3* db, const char* sql, int64_t& out, std::string& error) {
  Stmt s = prepare(db, sql, error);
  if (!s) return false;
  if (sqlite3_step(s.get()) != SQLITE_ROW) {
    error = sqlite_error(db);
    return false;
  }
  out = sqlite3_column_int64(s.get(), 0);
  return true;
}

bool make_parent_directory(const std::string& path, std::string& error) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (parent.empty() || std::filesystem::is_directory(parent, ec)) return true;
  std::filesystem::create_directories(parent, ec);
  if (!ec) return true;
  error = "cannot create directory " + parent.string() + ": " + ec.message();
  return false;
}

// A new file gets every table; a version 1 file gets what version 2 added (`from_version` 1).
bool create_schema(sqlite3* db, int64_t from_version, std::string& error) {
  const std::string ids = "PRAGMA application_id = " + std::to_string(kApplicationId) +
                          "; PRAGMA user_version = " + std::to_string(kSchemaVersion) + ";";
  if (!exec(db, "BEGIN IMMEDIATE", error)) return false;
  if ((from_version >= 1 || exec(db, kSchema, error)) && exec(db, kManagedKeysSchema, error) &&
      exec(db, ids.c_str(), error) && exec(db, "COMMIT", error))
    return true;
  std::string ignored;
  exec(db, "ROLLBACK", ignored);
  return false;
}

// Accepts a ledger of this schema; in write mode also an empty file, which it makes one.
bool check_or_create(sqlite3* db, Mode mode, std::string& error) {
  int64_t app = 0, version = 0, objects = 0;
  // The first read of a file that is not SQLite fails here ("file is not a database").
  if (!query_int(db, "PRAGMA application_id", app, error) ||
      !query_int(db, "PRAGMA user_version", version, error) ||
      !query_int(db, "SELECT count(*) FROM sqlite_schema", objects, error)) {
    error = "not a ringgate ledger: " + error + " (a damaged file, or some other file)";
    return false;
  }
  if (app == kApplicationId) {
    if (version == kSchemaVersion || (version == 1 && mode == Mode::kRead)) return true;
    if (version == 1) return create_schema(db, version, error);
    error = "ledger schema version " + std::to_string(version) + " is not " +
            std::to_string(kSchemaVersion) + " (written by another ringgate version)";
    return false;
  }
  if (app == 0 && objects == 0 && mode == Mode::kWrite) return create_schema(db, 0, error);
  error = "a SQLite database but not a ringgate ledger (application_id " + std::to_string(app) +
          ", " + std::to_string(objects) + " schema objects); refusing to use it";
  return false;
}

// WAL: readers (ringgate usage) never block the writer. NORMAL: a commit reaches the OS (the WAL
// file) before COMMIT returns, so it survives the process being killed; only an OS crash or power
// loss can lose the last commits since a checkpoint synced them (never corrupt the file).
bool set_write_pragmas(sqlite3* db, std::string& error) {
  Stmt s = prepare(db, "PRAGMA journal_mode = WAL", error);
  if (!s) return false;
  const bool wal =
      sqlite3_step(s.get()) == SQLITE_ROW &&
      std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0))) == "wal";
  if (!wal) {
    error = "cannot switch to WAL journal mode: " + sqlite_error(db);
    return false;
  }
  return exec(db, "PRAGMA synchronous = NORMAL", error);
}

}  // namespace

Stmt prepare(sqlite3* db, const char* sql, std::string& error) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
    error = sqlite_error(db);
    sqlite3_finalize(s);
    return nullptr;
  }
  return Stmt(s);
}

bool exec(sqlite3* db, const char* sql, std::string& error) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return true;
  error = message ? message : sqlite_error(db);
  sqlite3_free(message);
  return false;
}

Db open(const std::string& path, Mode mode, int busy_timeout_ms, std::string& error) {
  std::string why;
  if (mode == Mode::kWrite && !make_parent_directory(path, why)) {
    error = "ledger " + path + ": " + why;
    return nullptr;
  }
  const int flags =
      mode == Mode::kWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    error = "ledger " + path + ": cannot open: " + sqlite_error(db.get());
    return nullptr;
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), busy_timeout_ms);
  if (!check_or_create(db.get(), mode, why) ||
      (mode == Mode::kWrite && !set_write_pragmas(db.get(), why))) {
    error = "ledger " + path + ": " + why;
    return nullptr;
  }
  return db;
}

}  // namespace ringgate::telemetry::ledger_db
