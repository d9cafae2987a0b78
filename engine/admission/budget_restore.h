// Seeding budgets at start with what the ledger recorded before (seed-defect 003-1): the gateway
// sums each key's and team's cost for the current UTC day, month and all time from the ledger and
// hands the sums here before it serves. The scope names are the ones Gatekeeper gives accounts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/admission/budget_store.h"
#include "engine/config/config.h"

namespace ringgate::admission {

std::string key_budget_scope(std::string_view key_id);      // "key:<id>"
std::string team_budget_scope(std::string_view team_name);  // "team:<name>"

// Spend per scope, keyed as above.
using SpendByScope = std::unordered_map<std::string, RestoredSpend>;

struct RestoreCount {
  size_t restored = 0;  // accounts that took their spend
  size_t kept = 0;      // accounts that keep spend elsewhere (BudgetAccount::restore false)
};

// Adds `spend` (as of `unix_s`) to the account of every key and team of `config` that has a
// budget; scopes without a budget keep no account, so their spend is not needed. Call once, at
// start, before or after Gatekeeper::build with the same store (account() is keyed by scope).
RestoreCount restore_budgets(const config::Config& config, BudgetStore& store,
                             const SpendByScope& spend, int64_t unix_s);

}  // namespace ringgate::admission
