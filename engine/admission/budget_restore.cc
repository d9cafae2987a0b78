#include "engine/admission/budget_restore.h"

namespace ringgate::admission {
namespace {

void restore_one(BudgetStore& store, const std::string& scope, const config::Budget& budget,
                 const SpendByScope& spend, int64_t unix_s, RestoreCount& count) {
  if (!budget.any()) return;
  auto it = spend.find(scope);
  if (it == spend.end()) return;
  if (store.account(scope, budget)->restore(it->second, unix_s))
    ++count.restored;
  else
    ++count.kept;
}

}  // namespace

std::string key_budget_scope(std::string_view key_id) { return "key:" + std::string(key_id); }
std::string team_budget_scope(std::string_view team_name) {
  return "team:" + std::string(team_name);
}

RestoreCount restore_budgets(const config::Config& config, BudgetStore& store,
                             const SpendByScope& spend, int64_t unix_s) {
  RestoreCount count;
  for (const config::Team& t : config.admission.teams)
    restore_one(store, team_budget_scope(t.name), t.budget, spend, unix_s, count);
  for (const config::VirtualKey& k : config.admission.keys)
    restore_one(store, key_budget_scope(k.id), k.budget, spend, unix_s, count);
  return count;
}

}  // namespace ringgate::admission
