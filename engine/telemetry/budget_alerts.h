// Budget alerts (seed-defect 000-M1): after each request's charge is settled, the accounting
// thread compares the spend of the budgets it was charged to with their alert percents, and
// raises each percent once per budget period: a daily budget's 80% at most once per UTC day, a
// monthly one's once per UTC month, a total one's once. Spend is what was settled, not what
// requests in flight have reserved: an alert says money was spent, never that it might be.
//
// What fired is remembered by scope name ("key:alice"), so it survives a reload; it is in memory
// only, so after a restart a percent already crossed fires again at the next spend.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/admission/admission_decision.h"
#include "engine/config/runtime.h"

namespace ringgate::telemetry {

struct BudgetAlert {
  admission::Scope scope = admission::Scope::kKey;  // kKey or kTeam
  std::string_view id;                              // the key's id or the team's name
  admission::BudgetPeriod period = admission::BudgetPeriod::kDaily;
  uint16_t percent = 0;  // the threshold crossed
  int64_t spent_micros = 0, budget_micros = 0;
  int64_t period_start_s = 0;  // the UTC day's or month's start; 0 for a total budget
};

class BudgetAlerts {
 public:
  // Called on the accounting thread for each alert, with the config it was raised under.
  using Emit = std::function<void(const BudgetAlert&, const config::Config&)>;
  explicit BudgetAlerts(Emit emit) : emit_(std::move(emit)) {}

  // `accounts` were just settled for a request that ran on `runtime`.
  void on_spend(const std::shared_ptr<const config::Runtime>& runtime,
                std::span<admission::BudgetAccount* const> accounts, int64_t unix_s);

 private:
  // The highest percent fired in each period, and which period that was.
  struct Fired {
    std::array<uint32_t, admission::kBudgetPeriods> period{};
    std::array<uint16_t, admission::kBudgetPeriods> percent{};
  };
  struct Watch {
    admission::Scope scope;
    std::string_view id;  // into the adopted snapshot
    const std::vector<uint16_t>* percents;
    Fired* fired;
  };

  void adopt(const std::shared_ptr<const config::Runtime>& runtime);
  void check(const Watch& w, const admission::BudgetAccount& account,
             admission::BudgetPeriod period, int64_t unix_s, const config::Config& config);

  Emit emit_;
  std::shared_ptr<const config::Runtime> runtime_;  // kept alive: the watches point into it
  std::unordered_map<const admission::BudgetAccount*, Watch> watches_;
  std::unordered_map<std::string, Fired> fired_;  // by scope name, across snapshots
};

}  // namespace ringgate::telemetry
