#include "protocol/civil_date.h"

#include <gtest/gtest.h>

namespace ringgate::protocol {
namespace {

TEST(CivilDate, KnownDaysBothWays) {
  struct {
    int64_t days;
    CivilDate date;
  } cases[] = {{0, {1970, 1, 1}},      {-1, {1969, 12, 31}}, {11016, {2000, 2, 29}},
               {20789, {2026, 12, 2}}, {-719468, {0, 3, 1}}, {2932896, {9999, 12, 31}}};
  for (auto c : cases) {
    SCOPED_TRACE(c.days);
    EXPECT_EQ(days_from_civil(c.date.year, c.date.month, c.date.day), c.days);
    const CivilDate back = civil_from_days(c.days);
    EXPECT_EQ(back.year, c.date.year);
    EXPECT_EQ(back.month, c.date.month);
    EXPECT_EQ(back.day, c.date.day);
  }
}

TEST(CivilDate, EveryDayOfFourCenturiesRoundTrips) {
  for (int64_t z = days_from_civil(1900, 1, 1); z < days_from_civil(2300, 1, 1); ++z) {
    const CivilDate d = civil_from_days(z);
    ASSERT_EQ(days_from_civil(d.year, d.month, d.day), z);
  }
}

}  // namespace
}  // namespace ringgate::protocol
