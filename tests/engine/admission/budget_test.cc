// Budgets: UTC periods, reservation under concurrency, settle and refund, rollover, reload.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "engine/admission/in_memory_budget_store.h"
#include "engine/admission/utc_period.h"

namespace ringgate::admission {
namespace {

constexpr int64_t k2026_03_15_noon = 1773576000;  // 2026-03-15T12:00:00Z
constexpr int64_t kDayS = 86'400;

config::Budget budget(int64_t daily, int64_t monthly = 0, int64_t total = 0) {
  return {daily, monthly, total};
}

TEST(UtcPeriods, DaysAndMonthsEndAtUtcMidnight) {
  const UtcPeriods p = utc_periods(k2026_03_15_noon);
  EXPECT_EQ(p.day_end_s, 1773619200);    // 2026-03-16T00:00:00Z
  EXPECT_EQ(p.month_end_s, 1775001600);  // 2026-04-01T00:00:00Z
  EXPECT_EQ(p.month, uint32_t((2026 - 1970) * 12 + 2));
  EXPECT_EQ(p.day_start_s, 1773532800);    // 2026-03-15T00:00:00Z
  EXPECT_EQ(p.month_start_s, 1772323200);  // 2026-03-01T00:00:00Z
  // Leap February and December's year change.
  EXPECT_EQ(utc_periods(1709208000).month_end_s, 1709251200);  // 2024-02-29 12:00 -> 2024-03-01
  EXPECT_EQ(utc_periods(1767182400).month_end_s, 1767225600);  // 2025-12-31 12:00 -> 2026-01-01
  EXPECT_EQ(utc_periods(-5).day, 0u);
}

// seed-defect: 003-2 (concurrent requests cannot overspend: reservation is checked atomically)
TEST(Budget, TwoHundredConcurrentReservationsAgainstABudgetForTenAdmitTen) {
  auto account = make_in_memory_account(budget(10 * 1000));
  std::atomic<int> go{0}, admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 200; ++t) {
    threads.emplace_back([&] {
      while (!go.load()) {
      }
      BudgetHold hold;
      BudgetRefusal refusal;
      if (account->reserve(1000, k2026_03_15_noon, hold, refusal)) admitted.fetch_add(1);
    });
  }
  go.store(1);
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 10);
  const BudgetUsage u = account->usage(BudgetPeriod::kDaily, k2026_03_15_noon);
  EXPECT_EQ(u.reserved_micros, 10 * 1000);
}

// seed-defect: 003-2 (reserve at admission, settle at completion: the spend never passes the limit)
TEST(Budget, ConcurrentReserveAndSettleNeverSpendsPastTheLimit) {
  auto account = make_in_memory_account(budget(0, 0, 50 * 1000));
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        BudgetHold hold;
        BudgetRefusal refusal;
        if (!account->reserve(1000, k2026_03_15_noon, hold, refusal)) continue;
        admitted.fetch_add(1);
        account->settle(hold, 600, k2026_03_15_noon);  // cheaper than reserved
      }
    });
  }
  for (auto& t : threads) t.join();
  const BudgetUsage u = account->usage(BudgetPeriod::kTotal, k2026_03_15_noon);
  EXPECT_LE(u.spent_micros, 50 * 1000);
  EXPECT_EQ(u.spent_micros, admitted.load() * 600);
  EXPECT_EQ(u.reserved_micros, 0);
}

TEST(Budget, TheRefusalNamesThePeriodItsLimitSpendAndReset) {
  auto account = make_in_memory_account(budget(5000, 100'000));
  BudgetHold a, b;
  BudgetRefusal refusal;
  ASSERT_TRUE(account->reserve(3000, k2026_03_15_noon, a, refusal));
  account->settle(a, 2500, k2026_03_15_noon);
  EXPECT_FALSE(a.active());
  ASSERT_TRUE(account->reserve(2000, k2026_03_15_noon, b, refusal));
  EXPECT_FALSE(account->reserve(1000, k2026_03_15_noon, a, refusal));
  EXPECT_EQ(refusal.period, BudgetPeriod::kDaily);
  EXPECT_EQ(refusal.limit_micros, 5000);
  EXPECT_EQ(refusal.spent_micros, 2500);
  EXPECT_EQ(refusal.reserved_micros, 2000);
  EXPECT_EQ(refusal.resets_at_unix_s, 1773619200);
  // The refused reservation left nothing behind in the monthly period either.
  EXPECT_EQ(account->usage(BudgetPeriod::kMonthly, k2026_03_15_noon).reserved_micros, 2000);
}

TEST(Budget, ExhaustedBudgetRefusesEvenAFreeRequest) {
  auto account = make_in_memory_account(budget(1000));
  BudgetHold hold;
  BudgetRefusal refusal;
  ASSERT_TRUE(account->reserve(1000, k2026_03_15_noon, hold, refusal));
  account->settle(hold, 1000, k2026_03_15_noon);
  EXPECT_FALSE(account->reserve(0, k2026_03_15_noon, hold, refusal));
}

TEST(Budget, RefundGivesTheReservationBack) {
  auto account = make_in_memory_account(budget(1000));
  BudgetHold hold;
  BudgetRefusal refusal;
  ASSERT_TRUE(account->reserve(1000, k2026_03_15_noon, hold, refusal));
  account->refund(hold);
  EXPECT_FALSE(hold.active());
  EXPECT_TRUE(account->reserve(1000, k2026_03_15_noon, hold, refusal));
}

// seed-defect: 000-M1 (daily, monthly and total budgets each hold on their own)
TEST(Budget, TheDayRollsOverButTheMonthAndTotalKeepCounting) {
  auto account = make_in_memory_account(budget(1000, 2500, 10'000));
  BudgetHold hold;
  BudgetRefusal refusal;
  int64_t t = k2026_03_15_noon;
  for (int day = 0; day < 2; ++day, t += kDayS) {
    ASSERT_TRUE(account->reserve(1000, t, hold, refusal)) << day;
    account->settle(hold, 1000, t);
    EXPECT_FALSE(account->reserve(1, t, hold, refusal));
    EXPECT_EQ(refusal.period, BudgetPeriod::kDaily);
  }
  // Day three has room, the month has 500 left.
  EXPECT_FALSE(account->reserve(1000, t, hold, refusal));
  EXPECT_EQ(refusal.period, BudgetPeriod::kMonthly);
  EXPECT_EQ(refusal.spent_micros, 2000);
  EXPECT_EQ(refusal.resets_at_unix_s, 1775001600);
  EXPECT_TRUE(account->reserve(500, t, hold, refusal));
}

TEST(Budget, AReservationSettledAfterMidnightCostsTheNewDay) {
  auto account = make_in_memory_account(budget(1000));
  BudgetHold hold;
  BudgetRefusal refusal;
  const int64_t before = 1773619199, after = before + 2;  // either side of midnight
  ASSERT_TRUE(account->reserve(800, before, hold, refusal));
  account->settle(hold, 300, after);
  EXPECT_EQ(account->usage(BudgetPeriod::kDaily, after).spent_micros, 300);
  EXPECT_EQ(account->usage(BudgetPeriod::kDaily, after).reserved_micros, 0);
  EXPECT_EQ(account->usage(BudgetPeriod::kMonthly, after).spent_micros, 300);
}

TEST(Budget, TheStoreKeepsSpendAcrossALimitChange) {
  InMemoryBudgetStore store;
  auto a = store.account("key:alice", budget(1000));
  BudgetHold hold;
  BudgetRefusal refusal;
  ASSERT_TRUE(a->reserve(1000, k2026_03_15_noon, hold, refusal));
  a->settle(hold, 1000, k2026_03_15_noon);
  auto again = store.account("key:alice", budget(1500));
  EXPECT_EQ(again, a);
  EXPECT_FALSE(again->reserve(600, k2026_03_15_noon, hold, refusal));
  EXPECT_TRUE(again->reserve(500, k2026_03_15_noon, hold, refusal));
  EXPECT_NE(store.account("team:alice", budget(1000)), a);
}

// seed-defect: 003-1 (budgets survive a restart: the ledger's sums seed each period)
TEST(Budget, RestoredSpendCountsInItsPeriodsAndRollsOverWithThem) {
  auto account = make_in_memory_account(budget(1000, 5000, 9000));
  ASSERT_TRUE(account->restore({800, 4000, 8500}, k2026_03_15_noon));
  EXPECT_EQ(account->usage(BudgetPeriod::kDaily, k2026_03_15_noon).spent_micros, 800);
  EXPECT_EQ(account->usage(BudgetPeriod::kMonthly, k2026_03_15_noon).spent_micros, 4000);
  BudgetHold hold;
  BudgetRefusal refusal;
  EXPECT_FALSE(account->reserve(600, k2026_03_15_noon, hold, refusal));  // 800 + 600 > 1000
  EXPECT_EQ(refusal.period, BudgetPeriod::kDaily);
  EXPECT_TRUE(account->reserve(200, k2026_03_15_noon, hold, refusal));
  account->refund(hold);
  // The next day starts from zero; the month and the total keep what was restored.
  const int64_t tomorrow = k2026_03_15_noon + kDayS;
  EXPECT_EQ(account->usage(BudgetPeriod::kDaily, tomorrow).spent_micros, 0);
  EXPECT_EQ(account->usage(BudgetPeriod::kMonthly, tomorrow).spent_micros, 4000);
  EXPECT_EQ(account->usage(BudgetPeriod::kTotal, tomorrow).spent_micros, 8500);
}

}  // namespace
}  // namespace ringgate::admission
