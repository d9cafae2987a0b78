#include "engine/admission/utc_period.h"

namespace ringgate::admission {
namespace {

constexpr int64_t kDayS = 86'400;

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian calendar).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = int64_t(yoe) + era * 400 + (m <= 2);
}

}  // namespace

UtcPeriods utc_periods(int64_t unix_s) {
  if (unix_s < 0) unix_s = 0;
  const int64_t days = unix_s / kDayS;
  // Every reserve and settle asks, and the answer changes once a day: keep the last one per thread.
  thread_local UtcPeriods last{~0u, 0, 0, 0};
  if (last.day == uint32_t(days)) return last;
  int64_t y;
  unsigned m;
  civil_from_days(days, y, m);
  const int64_t next_y = m == 12 ? y + 1 : y;
  const unsigned next_m = m == 12 ? 1 : m + 1;
  UtcPeriods p;
  p.day = uint32_t(days);
  p.month = uint32_t((y - 1970) * 12 + (m - 1));
  p.day_end_s = (days + 1) * kDayS;
  p.month_end_s = days_from_civil(next_y, next_m, 1) * kDayS;
  p.day_start_s = days * kDayS;
  p.month_start_s = days_from_civil(y, m, 1) * kDayS;
  last = p;
  return p;
}

}  // namespace ringgate::admission
