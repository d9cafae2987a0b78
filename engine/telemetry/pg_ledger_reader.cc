#include "engine/telemetry/pg_ledger_reader.h"

#include <cstdlib>

#include "engine/admission/utc_period.h"
#include "engine/telemetry/ledger_queries.h"
#include "engine/telemetry/pg_connection.h"

namespace ringgate::telemetry {
namespace {

// PostgreSQL's text for a BIGINT or a SUM (numeric); "" (NULL) is 0.
int64_t number(const std::string& text) { return std::strtoll(text.c_str(), nullptr, 10); }

}  // namespace

std::unique_ptr<PgLedgerReader> PgLedgerReader::open(const std::string& conninfo,
                                                     std::string& error) {
  std::unique_ptr<PgConnection> pg = PgConnection::connect(conninfo, error);
  if (!pg) return nullptr;
  return std::unique_ptr<PgLedgerReader>(new PgLedgerReader(std::move(pg)));
}

PgLedgerReader::PgLedgerReader(std::unique_ptr<PgConnection> pg) : pg_(std::move(pg)) {}
PgLedgerReader::~PgLedgerReader() = default;

std::optional<std::vector<UsageGroup>> PgLedgerReader::usage(int64_t since_ms, UsageGrouping by,
                                                             std::string& error) {
  auto rows = pg_->query(usage_sql(by), {std::to_string(since_ms)}, error);
  if (!rows) return std::nullopt;
  std::vector<UsageGroup> groups;
  for (const std::vector<std::string>& r : *rows) {
    UsageGroup g{r[0]};
    int64_t* v[] = {&g.requests,
                    &g.input_tokens,
                    &g.output_tokens,
                    &g.cached_input_tokens,
                    &g.cache_creation_tokens,
                    &g.cost_micros};
    for (int i = 0; i < 6; ++i) *v[i] = number(r[size_t(i) + 1]);
    groups.push_back(std::move(g));
  }
  return groups;
}

std::optional<admission::SpendByScope> PgLedgerReader::spend_by_scope(int64_t unix_s,
                                                                      std::string& error) {
  const admission::UtcPeriods p = admission::utc_periods(unix_s);
  auto rows = pg_->query(
      kSpendByScopeSql,
      {std::to_string(p.day_start_s * 1000), std::to_string(p.month_start_s * 1000)}, error);
  if (!rows) return std::nullopt;
  admission::SpendByScope spend;
  for (const std::vector<std::string>& r : *rows)
    spend[r[0]] = {number(r[1]), number(r[2]), number(r[3])};
  return spend;
}

std::optional<admission::RestoreCount> restore_budgets_from_fleet_ledger(
    const std::string& conninfo, const config::Config& config, admission::BudgetStore& store,
    int64_t unix_s, std::string& error) {
  std::unique_ptr<PgLedgerReader> reader = PgLedgerReader::open(conninfo, error);
  if (!reader) return std::nullopt;
  std::optional<admission::SpendByScope> spend = reader->spend_by_scope(unix_s, error);
  if (!spend) return std::nullopt;
  return admission::restore_budgets(config, store, *spend, unix_s);
}

}  // namespace ringgate::telemetry
