// The ledger database's managed_keys table: keys created through the admin API, as their SHA-256
// only. Synchronous SQLite calls: used by the key store's own thread, never by a shard.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/key_material.h"
#include "engine/telemetry/ledger_db.h"

namespace ringgate::telemetry {

struct ManagedKeyRow {
  std::string id;
  config::KeyHash sha256{};
  std::string team;  // "" = none
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;  // unix seconds
  std::optional<int64_t> revoked_at;
  bool expiry_logged = false;  // the expiry's audit line was written
};

class ManagedKeyDb {
 public:
  // Opens (creating or migrating) the ledger file at `path` for writing; null with the reason.
  static std::unique_ptr<ManagedKeyDb> open(const std::string& path, std::string& error);

  // Every row, revoked ones too, in creation order.
  bool load(std::vector<ManagedKeyRow>& out, std::string& error);

  enum class Insert { kOk, kExists, kFailed };
  Insert insert(const ManagedKeyRow& row, std::string& error);

  enum class Revoke { kOk, kUnknown, kAlreadyRevoked, kFailed };
  Revoke revoke(std::string_view id, int64_t now, std::string& error);

  bool mark_expiry_logged(std::string_view id, std::string& error);

 private:
  explicit ManagedKeyDb(ledger_db::Db db) : db_(std::move(db)) {}
  ledger_db::Db db_;
};

}  // namespace ringgate::telemetry
