// The ledger's SQLite file: opening it (creating the schema, or refusing a file that is not a
// ringgate ledger), and the small RAII wrappers the writer and the reader share. Internal to
// engine/telemetry.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

namespace ringgate::telemetry::ledger_db {

// "RGLD": what marks a SQLite file as a ringgate ledger (PRAGMA application_id).
inline constexpr int kApplicationId = 0x52474c44;
// PRAGMA user_version; a file with a newer one is refused, an older one is migrated when opened
// for writing (read-only openers accept version 1: its requests table is the same).
// 2: the managed_keys table (keys created through the admin API).
inline constexpr int kSchemaVersion = 2;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct FinalizeStmt {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;
using Stmt = std::unique_ptr<sqlite3_stmt, FinalizeStmt>;

enum class Mode { kWrite, kRead };

// kWrite creates the file (and its directory) if missing, sets WAL and synchronous=NORMAL and
// creates the schema in a new file. kRead opens an existing ledger read-only. On failure returns
// null and fills `error` with a message that names the path.
Db open(const std::string& path, Mode mode, int busy_timeout_ms, std::string& error);

// null on failure, with sqlite's message in `error`.
Stmt prepare(sqlite3* db, const char* sql, std::string& error);
bool exec(sqlite3* db, const char* sql, std::string& error);

}  // namespace ringgate::telemetry::ledger_db
