#include "engine/admission/in_memory_budget_store.h"

#include <algorithm>
#include <atomic>

#include "engine/admission/period_counter.h"
#include "engine/admission/utc_period.h"

namespace ringgate::admission {
namespace {

constexpr uint64_t kMax = PeriodCounter::kMaxMicros;

uint64_t to_micros(int64_t v) { return v <= 0 ? 0 : std::min<uint64_t>(uint64_t(v), kMax); }

std::array<uint32_t, kBudgetPeriods> period_ids(const UtcPeriods& p) { return {p.day, p.month, 0}; }

// Every period is counted, even one with no limit, so a limit added by a reload sees the spend.
class InMemoryAccount final : public BudgetAccount {
 public:
  explicit InMemoryAccount(const config::Budget& b) { set_limits(b); }

  void set_limits(const config::Budget& b) {
    const int64_t v[kBudgetPeriods] = {b.daily_micros, b.monthly_micros, b.total_micros};
    for (int i = 0; i < kBudgetPeriods; ++i)
      limit_[i].store(to_micros(v[i]), std::memory_order_relaxed);
  }

  bool reserve(int64_t micros, int64_t unix_s, BudgetHold& hold, BudgetRefusal& refusal) override {
    const UtcPeriods now = utc_periods(unix_s);
    const auto ids = period_ids(now);
    hold = {int64_t(to_micros(micros)), {}, 0};
    for (int i = 0; i < kBudgetPeriods; ++i) {
      const uint64_t limit = limit_[i].load(std::memory_order_relaxed);
      uint64_t committed = 0;
      if (counter_[i].try_reserve(ids[i], uint64_t(hold.micros), limit ? limit : kMax,
                                  hold.period[i], committed)) {
        hold.mask |= uint8_t(1u << i);
        continue;
      }
      refund(hold);
      const uint64_t spent = counter_[i].spent(ids[i]);
      const int64_t resets[kBudgetPeriods] = {now.day_end_s, now.month_end_s, 0};
      refusal = {BudgetPeriod(i), int64_t(limit), int64_t(spent),
                 int64_t(committed - std::min(committed, spent)), resets[i]};
      return false;
    }
    return true;
  }

  void settle(BudgetHold& hold, int64_t actual_micros, int64_t unix_s) override {
    const auto ids = period_ids(utc_periods(unix_s));
    for (int i = 0; i < kBudgetPeriods; ++i) {
      if (hold.mask & (1u << i))
        counter_[i].settle(hold.period[i], ids[i], uint64_t(hold.micros), to_micros(actual_micros));
    }
    hold = {};
  }

  void refund(BudgetHold& hold) override {
    for (int i = 0; i < kBudgetPeriods; ++i) {
      if (hold.mask & (1u << i)) counter_[i].refund(hold.period[i], uint64_t(hold.micros));
    }
    hold = {};
  }

  bool restore(const RestoredSpend& spent, int64_t unix_s) override {
    const auto ids = period_ids(utc_periods(unix_s));
    const int64_t v[kBudgetPeriods] = {spent.daily_micros, spent.monthly_micros,
                                       spent.total_micros};
    for (int i = 0; i < kBudgetPeriods; ++i) {
      if (v[i] > 0) counter_[i].restore(ids[i], to_micros(v[i]));
    }
    return true;
  }

  BudgetUsage usage(BudgetPeriod period, int64_t unix_s) const override {
    const int i = int(period);
    const uint32_t id = period_ids(utc_periods(unix_s))[i];
    const uint64_t committed = counter_[i].committed(id), spent = counter_[i].spent(id);
    return {int64_t(limit_[i].load(std::memory_order_relaxed)), int64_t(spent),
            int64_t(committed - std::min(committed, spent))};
  }

 private:
  std::atomic<uint64_t> limit_[kBudgetPeriods];  // 0: none; a reload may change it in place
  PeriodCounter counter_[kBudgetPeriods];
};

}  // namespace

std::shared_ptr<BudgetAccount> make_in_memory_account(const config::Budget& budget) {
  return std::make_shared<InMemoryAccount>(budget);
}

std::shared_ptr<BudgetAccount> InMemoryBudgetStore::account(std::string_view scope,
                                                            const config::Budget& budget) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = accounts_.try_emplace(std::string(scope));
  if (inserted)
    it->second = std::make_shared<InMemoryAccount>(budget);
  else
    static_cast<InMemoryAccount&>(*it->second).set_limits(budget);
  return it->second;
}

}  // namespace ringgate::admission
