#include "engine/admission/utc_period.h"

#include "protocol/civil_date.h"

namespace ringgate::admission {
namespace {

constexpr int64_t kDayS = 86'400;

}  // namespace

UtcPeriods utc_periods(int64_t unix_s) {
  if (unix_s < 0) unix_s = 0;
  const int64_t days = unix_s / kDayS;
  // Every reserve and settle asks, and the answer changes once a day: keep the last one per thread.
  thread_local UtcPeriods last{~0u, 0, 0, 0};
  if (last.day == uint32_t(days)) return last;
  const protocol::CivilDate date = protocol::civil_from_days(days);
  const int64_t y = date.year;
  const unsigned m = date.month;
  const int64_t next_y = m == 12 ? y + 1 : y;
  const unsigned next_m = m == 12 ? 1 : m + 1;
  UtcPeriods p;
  p.day = uint32_t(days);
  p.month = uint32_t((y - 1970) * 12 + (m - 1));
  p.day_end_s = (days + 1) * kDayS;
  p.month_end_s = protocol::days_from_civil(next_y, next_m, 1) * kDayS;
  p.day_start_s = days * kDayS;
  p.month_start_s = protocol::days_from_civil(y, m, 1) * kDayS;
  last = p;
  return p;
}

}  // namespace ringgate::admission
