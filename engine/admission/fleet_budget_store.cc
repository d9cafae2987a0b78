#include "engine/admission/fleet_budget_store.h"

#include <algorithm>

#include "engine/admission/in_memory_budget_store.h"
#include "engine/admission/utc_period.h"

namespace ringgate::admission {
namespace {

constexpr FleetWindow kWindows[kBudgetPeriods] = {FleetWindow::kSeconds, FleetWindow::kUtcMonth,
                                                  FleetWindow::kForever};

std::array<int64_t, kBudgetPeriods> limits_of(const config::Budget& b) {
  return {b.daily_micros, b.monthly_micros, b.total_micros};
}

BudgetShortfall shortfall_of(FleetLease::Take take) {
  switch (take) {
    case FleetLease::Take::kRenewing:
      return BudgetShortfall::kRenewing;
    case FleetLease::Take::kUnavailable:
      return BudgetShortfall::kUnavailable;
    default:
      return BudgetShortfall::kSpent;
  }
}

class FleetBudgetAccount final : public BudgetAccount {
 public:
  FleetBudgetAccount(std::string_view scope, const config::Budget& budget, FleetLeases& fleet,
                     std::shared_ptr<BudgetAccount> local)
      : limits_(limits_of(budget)), local_(std::move(local)) {
    for (int i = 0; i < kBudgetPeriods; ++i) {
      if (limits_[i] > 0)
        leases_[i] = fleet.budget_lease(fleet_budget_scope(scope, BudgetPeriod(i)),
                                        uint64_t(limits_[i]), kWindows[i]);
    }
  }

  bool reserve(int64_t micros, int64_t unix_s, BudgetHold& hold, BudgetRefusal& refusal) override {
    // The local account has no limits: it never refuses, and it names the hold's periods (UTC
    // day and month numbers, 0 for all time), which are the leases' window numbers too.
    if (!local_->reserve(micros, unix_s, hold, refusal)) return false;
    const uint64_t amount = uint64_t(hold.micros),
                   unix_ms = uint64_t(std::max<int64_t>(unix_s, 0)) * 1000;
    for (int i = 0; i < kBudgetPeriods; ++i) {
      if (!leases_[i]) continue;
      const FleetLease::Take take = leases_[i]->try_take(unix_ms, amount);
      if (take == FleetLease::Take::kOk) continue;
      for (int j = 0; j < i; ++j) {
        if (leases_[j]) leases_[j]->give_back(hold.period[j], amount);
      }
      local_->refund(hold);
      const UtcPeriods now = utc_periods(unix_s);
      const int64_t resets[kBudgetPeriods] = {now.day_end_s, now.month_end_s, 0};
      refusal = {BudgetPeriod(i), limits_[i],        int64_t(leases_[i]->fleet_used()), 0,
                 resets[i],       shortfall_of(take)};
      return false;
    }
    return true;
  }

  void settle(BudgetHold& hold, int64_t actual_micros, int64_t unix_s) override {
    const uint64_t reserved = uint64_t(hold.micros);
    const uint64_t spent = uint64_t(std::max<int64_t>(actual_micros, 0));
    for (int i = 0; i < kBudgetPeriods; ++i) {
      if (!leases_[i] || !(hold.mask & (1u << i))) continue;
      if (spent < reserved) leases_[i]->give_back(hold.period[i], reserved - spent);
      if (spent > reserved) leases_[i]->charge_extra(hold.period[i], spent - reserved);
    }
    local_->settle(hold, actual_micros, unix_s);
  }

  void refund(BudgetHold& hold) override {
    for (int i = 0; i < kBudgetPeriods; ++i) {
      if (leases_[i] && (hold.mask & (1u << i)))
        leases_[i]->give_back(hold.period[i], uint64_t(hold.micros));
    }
    local_->refund(hold);
  }

  // This node's spend against the fleet's limit (the fleet's spend lives in Redis).
  BudgetUsage usage(BudgetPeriod period, int64_t unix_s) const override {
    BudgetUsage u = local_->usage(period, unix_s);
    u.limit_micros = limits_[int(period)];
    return u;
  }

 private:
  const std::array<int64_t, kBudgetPeriods> limits_;
  std::array<std::shared_ptr<FleetLease>, kBudgetPeriods> leases_;  // null: no limit
  const std::shared_ptr<BudgetAccount> local_;
};

bool same(const config::Budget& a, const config::Budget& b) { return limits_of(a) == limits_of(b); }

}  // namespace

std::string fleet_budget_scope(std::string_view scope, BudgetPeriod period) {
  std::string s = "budget:";
  s.append(scope);
  s.push_back(':');
  s.append(budget_period_name(period));
  return s;
}

std::shared_ptr<BudgetAccount> FleetBudgetStore::account(std::string_view scope,
                                                         const config::Budget& budget) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = accounts_.try_emplace(std::string(scope));
  Slot& slot = it->second;
  if (!inserted && same(slot.budget, budget)) return slot.account;
  if (!slot.local) slot.local = make_in_memory_account({});
  slot.budget = budget;
  slot.account = std::make_shared<FleetBudgetAccount>(scope, budget, *fleet_, slot.local);
  return slot.account;
}

}  // namespace ringgate::admission
