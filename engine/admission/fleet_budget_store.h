// Budgets shared by the fleet through Redis ([cluster]): each limited period of a key's or a
// team's budget is a FleetLease of microdollars, so a reservation takes from this node's lease
// with one CAS (no round trip), a settle gives the unspent part back to the lease (the fleet
// thread returns what sits idle) and a cost above the reservation is owed to Redis. What this
// node spent is also counted locally, for usage() and budget alerts.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "engine/admission/budget_store.h"
#include "engine/admission/fleet_lease.h"

namespace ringgate::admission {

class FleetBudgetStore final : public BudgetStore {
 public:
  explicit FleetBudgetStore(std::shared_ptr<FleetLeases> fleet) : fleet_(std::move(fleet)) {}
  // A changed limit gets a new account (new leases, the same Redis hashes and local spend).
  std::shared_ptr<BudgetAccount> account(std::string_view scope,
                                         const config::Budget& budget) override;

 private:
  struct Slot {
    config::Budget budget;
    std::shared_ptr<BudgetAccount> account, local;
  };
  const std::shared_ptr<FleetLeases> fleet_;
  std::mutex mu_;  // account() runs when a snapshot is built, off the request path
  std::unordered_map<std::string, Slot> accounts_;
};

// "budget:team:research:daily": the Redis lease scope of one period of `scope`'s budget.
std::string fleet_budget_scope(std::string_view scope, BudgetPeriod period);

}  // namespace ringgate::admission
