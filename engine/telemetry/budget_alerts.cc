#include "engine/telemetry/budget_alerts.h"

#include "engine/admission/budget_restore.h"
#include "engine/admission/gatekeeper.h"
#include "engine/admission/utc_period.h"

namespace ringgate::telemetry {
namespace {

using admission::BudgetPeriod;
using admission::Scope;

// Each budget's own percents, else [alerts] budget_percent.
const std::vector<uint16_t>* percents_of(const config::AlertPercents& own,
                                         const config::Alerts& a) {
  return own ? &*own : &a.budget_percent;
}

}  // namespace

// Once per snapshot: which account is whose, with its percents.
void BudgetAlerts::adopt(const std::shared_ptr<const config::Runtime>& runtime) {
  runtime_ = runtime;
  watches_.clear();
  const config::Config& c = runtime->config();
  std::unordered_map<std::string_view, const std::vector<uint16_t>*> keys, teams;
  for (const config::VirtualKey& k : c.admission.keys) {
    keys.emplace(k.id, percents_of(k.budget_alert_percent, c.alerts));
  }
  for (const config::Team& t : c.admission.teams) {
    teams.emplace(t.name, percents_of(t.budget_alert_percent, c.alerts));
  }
  runtime->gatekeeper()->for_each_budget(
      [&](Scope scope, std::string_view name, const admission::BudgetAccount* account) {
        auto& names = scope == Scope::kKey ? keys : teams;
        auto it = names.find(name);
        if (it == names.end()) return;
        const std::string fired_key = scope == Scope::kKey ? admission::key_budget_scope(name)
                                                           : admission::team_budget_scope(name);
        watches_[account] = {scope, name, it->second, &fired_[fired_key]};
      });
}

void BudgetAlerts::on_spend(const std::shared_ptr<const config::Runtime>& runtime,
                            std::span<admission::BudgetAccount* const> accounts, int64_t unix_s) {
  if (accounts.empty() || !runtime || !runtime->gatekeeper()) return;
  if (runtime != runtime_) adopt(runtime);
  for (const admission::BudgetAccount* account : accounts) {
    auto it = watches_.find(account);
    if (it == watches_.end() || it->second.percents->empty()) continue;
    for (int p = 0; p < admission::kBudgetPeriods; ++p) {
      check(it->second, *account, BudgetPeriod(p), unix_s, runtime->config());
    }
  }
}

void BudgetAlerts::check(const Watch& w, const admission::BudgetAccount& account,
                         BudgetPeriod period, int64_t unix_s, const config::Config& config) {
  const admission::BudgetUsage u = account.usage(period, unix_s);
  if (u.limit_micros <= 0) return;
  const admission::UtcPeriods now = admission::utc_periods(unix_s);
  const int i = int(period);
  const uint32_t id = period == BudgetPeriod::kDaily     ? now.day
                      : period == BudgetPeriod::kMonthly ? now.month
                                                         : 0;
  Fired& f = *w.fired;
  if (id < f.period[i]) return;  // a clock that stepped back: the newer period stands
  if (id > f.period[i]) {        // a new day or month: every percent may fire again
    f.period[i] = id;
    f.percent[i] = 0;
  }
  const int64_t start = period == BudgetPeriod::kDaily     ? now.day_start_s
                        : period == BudgetPeriod::kMonthly ? now.month_start_s
                                                           : 0;
  for (uint16_t pct : *w.percents) {
    if (pct <= f.percent[i]) continue;
    // 100 * 2^48 and 1000 * 2^48 both fit in 64 bits.
    if (uint64_t(u.spent_micros) * 100 < uint64_t(pct) * uint64_t(u.limit_micros)) break;
    f.percent[i] = pct;
    emit_({w.scope, w.id, period, pct, u.spent_micros, u.limit_micros, start}, config);
  }
}

}  // namespace ringgate::telemetry
