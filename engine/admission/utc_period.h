// The UTC calendar periods budgets are kept in: which day and month a wall-clock time falls in,
// as small integers that fit beside a counter in one atomic word, and when each period ends.
#pragma once

#include <cstdint>

namespace ringgate::admission {

struct UtcPeriods {
  uint32_t day = 0;                            // days since 1970-01-01
  uint32_t month = 0;                          // months since 1970-01
  int64_t day_end_s = 0, month_end_s = 0;      // unix seconds at which each ends
  int64_t day_start_s = 0, month_start_s = 0;  // and begins (what the ledger sums from)
};

// Times before 1970 count as 1970-01-01.
UtcPeriods utc_periods(int64_t unix_s);

}  // namespace ringgate::admission
