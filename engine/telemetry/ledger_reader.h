// Reading the usage ledger, read-only, while the gateway may be writing it (WAL: readers and the
// writer never block each other): the rows, each key's and team's spend to restore budgets at
// start, and the sums `ringgate usage` prints. One thread per LedgerReader.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/admission/budget_restore.h"
#include "engine/config/config.h"
#include "engine/telemetry/ledger_row.h"

namespace ringgate::telemetry {

// model: the served one, else the requested; node: the fleet ledger only.
enum class UsageGrouping { kKey, kTeam, kModel, kNode };

struct UsageGroup {
  std::string name;  // "" for rows without one (no team, no model)
  int64_t requests = 0, input_tokens = 0, output_tokens = 0, cached_input_tokens = 0,
          cache_creation_tokens = 0, cost_micros = 0;
};

class LedgerReader {
 public:
  // null on failure (missing file, not a ledger), with `error` naming the path.
  static std::unique_ptr<LedgerReader> open(const std::string& path, std::string& error);
  ~LedgerReader();

  // Rows completed at or after since_ms, oldest first.
  std::optional<std::vector<LedgerRow>> rows_since(int64_t since_ms, std::string& error);
  // Up to `limit` rows with an id above after_id, in id order (what the fleet shipper sends).
  std::optional<std::vector<LedgerRow>> rows_after(int64_t after_id, size_t limit,
                                                   std::string& error);
  // The newest rows first, at most `limit`: ids below before_id, completed at or after since_ms,
  // of key `key` and requested model `model` ("" = any), traffic only (a model named or an
  // upstream reached). The values are bound, never spliced.
  struct RecentFilter {
    int64_t before_id = INT64_MAX, since_ms = 0;
    std::string key, model;
    size_t limit = 50;
  };
  std::optional<std::vector<LedgerRow>> recent_rows(const RecentFilter& f, std::string& error);
  // The newest row's id, 0 for an empty ledger.
  std::optional<int64_t> last_id(std::string& error);
  // Each key's ("key:<id>") and team's ("team:<name>") cost in the UTC day and month of `unix_s`
  // and in all time: what BudgetStore accounts are seeded with.
  std::optional<admission::SpendByScope> spend_by_scope(int64_t unix_s, std::string& error);
  // Sums per group of the rows completed at or after since_ms, costliest first.
  std::optional<std::vector<UsageGroup>> usage(int64_t since_ms, UsageGrouping by,
                                               std::string& error);

 private:
  struct Db;
  explicit LedgerReader(std::unique_ptr<Db> db);
  std::optional<std::vector<LedgerRow>> select_rows(const std::string& sql,
                                                    std::initializer_list<int64_t> binds,
                                                    std::string& error);
  std::unique_ptr<Db> db_;
};

// At start, before serving: sums the ledger at `path` as of `unix_s` and adds each key's and
// team's spend to its account in `store` (admission::restore_budgets). nullopt on a read error.
std::optional<admission::RestoreCount> restore_budgets_from_ledger(const std::string& path,
                                                                   const config::Config& config,
                                                                   admission::BudgetStore& store,
                                                                   int64_t unix_s,
                                                                   std::string& error);

}  // namespace ringgate::telemetry
