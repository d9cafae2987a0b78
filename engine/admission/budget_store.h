// Where budgets live: one BudgetAccount per key and per team, kept by a BudgetStore. In memory now
// (InMemoryBudgetStore), restored from the ledger (seed-defect 003-1), or shared across nodes
// through Redis leases (FleetBudgetStore). Admission reserves a request's maximum cost and
// the completion point settles it to the actual cost, so concurrent requests cannot overspend
// (seed-defect 003-2). Reserve and settle run on the shard: implementations take no lock there.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "engine/config/admission_config.h"

namespace ringgate::admission {

enum class BudgetPeriod : uint8_t { kDaily, kMonthly, kTotal };
inline constexpr int kBudgetPeriods = 3;
std::string_view budget_period_name(BudgetPeriod period);  // "daily", "monthly", "total"

// What one reservation holds, to settle or refund it. Fixed size; cleared once used.
struct BudgetHold {
  int64_t micros = 0;
  std::array<uint32_t, kBudgetPeriods> period{};  // the period each budget reserved in
  uint8_t mask = 0;                               // which of them hold a reservation
  bool active() const { return mask != 0; }
};

// Why a budget shared through Redis could not reserve: its window is spent (402), this node's
// lease is being renewed (429, retry within a round trip), or Redis is gone and the policy is
// closed (503). A budget kept on this node is only ever kSpent.
enum class BudgetShortfall : uint8_t { kSpent, kRenewing, kUnavailable };

// Why a reservation was refused: the 402's details.
struct BudgetRefusal {
  BudgetPeriod period = BudgetPeriod::kTotal;
  int64_t limit_micros = 0, spent_micros = 0,
          reserved_micros = 0;   // reserved: by requests in flight
  int64_t resets_at_unix_s = 0;  // 0: never (a total budget)
  BudgetShortfall shortfall = BudgetShortfall::kSpent;
};

// Spend recorded before this process started, as of one moment: in its UTC day, its UTC month
// and all time. What the ledger gives back at start (seed-defect 003-1).
struct RestoredSpend {
  int64_t daily_micros = 0, monthly_micros = 0, total_micros = 0;
};

struct BudgetUsage {
  int64_t limit_micros = 0;  // 0: none
  int64_t spent_micros = 0, reserved_micros = 0;
};

class BudgetAccount {
 public:
  virtual ~BudgetAccount() = default;
  // Reserves `micros` in every period, or in none and fills `refusal`.
  virtual bool reserve(int64_t micros, int64_t unix_s, BudgetHold& hold,
                       BudgetRefusal& refusal) = 0;
  // The request cost `actual_micros`; the hold is cleared.
  virtual void settle(BudgetHold& hold, int64_t actual_micros, int64_t unix_s) = 0;
  // The request cost nothing (it never reached an upstream); the hold is cleared.
  virtual void refund(BudgetHold& hold) = 0;
  virtual BudgetUsage usage(BudgetPeriod period, int64_t unix_s) const = 0;
  // Adds spend from before this process started, counted in the UTC day and month of `unix_s`,
  // so a budget survives a restart (seed-defect 003-1). Called at start, before any request.
  // false: this account keeps its spend elsewhere (a store shared across nodes) and is unchanged.
  virtual bool restore(const RestoredSpend& spent, int64_t unix_s) {
    (void)spent;
    (void)unix_s;
    return false;
  }
};

class BudgetStore {
 public:
  virtual ~BudgetStore() = default;
  // The account of `scope` ("key:alice-laptop", "team:research"), with `budget` as its limits
  // from now on. The same scope always gets the same account, so a reload that changes a limit
  // keeps what was spent. Called when a config snapshot is built, never per request.
  virtual std::shared_ptr<BudgetAccount> account(std::string_view scope,
                                                 const config::Budget& budget) = 0;
};

}  // namespace ringgate::admission
