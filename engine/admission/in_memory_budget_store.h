// Budgets in this process's memory: lost on restart until the ledger restores them (003-1).
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "engine/admission/budget_store.h"

namespace ringgate::admission {

class InMemoryBudgetStore final : public BudgetStore {
 public:
  std::shared_ptr<BudgetAccount> account(std::string_view scope,
                                         const config::Budget& budget) override;

 private:
  std::mutex mu_;  // account() runs when a snapshot is built, off the request path
  std::unordered_map<std::string, std::shared_ptr<BudgetAccount>> accounts_;
};

// One account on its own, for tests and for stores that keep accounts elsewhere.
std::shared_ptr<BudgetAccount> make_in_memory_account(const config::Budget& budget);

}  // namespace ringgate::admission
