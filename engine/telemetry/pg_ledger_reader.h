// Reading the fleet ledger in PostgreSQL: the sums `ringgate usage --postgres` prints and each
// key's and team's fleet-wide spend, which budgets are restored from at start when the node ships
// to it. The same queries as the node's file (ledger_queries.h), plus grouping by node.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/admission/budget_restore.h"
#include "engine/telemetry/ledger_reader.h"

namespace ringgate::telemetry {

class PgConnection;

class PgLedgerReader {
 public:
  // null with `error` (never the password) when it cannot connect.
  static std::unique_ptr<PgLedgerReader> open(const std::string& conninfo, std::string& error);
  ~PgLedgerReader();

  std::optional<std::vector<UsageGroup>> usage(int64_t since_ms, UsageGrouping by,
                                               std::string& error);
  std::optional<admission::SpendByScope> spend_by_scope(int64_t unix_s, std::string& error);

 private:
  explicit PgLedgerReader(std::unique_ptr<PgConnection> pg);
  std::unique_ptr<PgConnection> pg_;
};

// restore_budgets_from_ledger's twin: the fleet's spend, from PostgreSQL.
std::optional<admission::RestoreCount> restore_budgets_from_fleet_ledger(
    const std::string& conninfo, const config::Config& config, admission::BudgetStore& store,
    int64_t unix_s, std::string& error);

}  // namespace ringgate::telemetry
