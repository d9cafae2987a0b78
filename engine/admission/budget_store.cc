#include "engine/admission/budget_store.h"

namespace ringgate::admission {

std::string_view budget_period_name(BudgetPeriod period) {
  switch (period) {
    case BudgetPeriod::kDaily:
      return "daily";
    case BudgetPeriod::kMonthly:
      return "monthly";
    case BudgetPeriod::kTotal:
      return "total";
  }
  return "unknown";
}

}  // namespace ringgate::admission
