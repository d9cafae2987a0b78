// ProbeSchedule: the start-up grace, exponential backoff while unhealthy (counted over a 10 s
// outage), the cap, the return to the interval, and when healthy() turns false.
#include "engine/upstream/probe_schedule.h"

#include <gtest/gtest.h>

namespace ringgate::upstream {
namespace {

constexpr uint64_t kT0 = 7'000'000;

// seed-defect: 004-P8 (no probe before the start-up grace)
TEST(ProbeSchedule, FirstProbeWaitsForTheGrace) {
  ProbeSchedule s(1000, 15000, 30000);
  s.start(kT0);
  EXPECT_EQ(s.next_due_ms(), kT0 + 15000);
  EXPECT_TRUE(s.healthy());
  EXPECT_EQ(s.consecutive_failures(), 0u);
}

// Runs probes whenever due over [from, until) against a server that is down for all of it.
int probes_while_down(ProbeSchedule& s, uint64_t from, uint64_t until) {
  int probes = 0;
  for (uint64_t now = from; now < until; ++now) {
    if (now < s.next_due_ms()) continue;
    ++probes;
    s.on_result(false, now);
  }
  return probes;
}

// seed-defect: 004-P8 (a starting server is not stormed: 10 s down costs 4 probes, not 10)
TEST(ProbeSchedule, TenSecondsDownCostsFourProbes) {
  ProbeSchedule s(1000, 0, 60000);
  s.start(kT0);
  // Probes at 0, 1 s, 3 s, 7 s (waits 1, 2, 4, then 8 s lands past the end).
  EXPECT_EQ(probes_while_down(s, kT0, kT0 + 10000), 4);
  EXPECT_EQ(s.next_due_ms(), kT0 + 7000 + 8000);
}

TEST(ProbeSchedule, BackoffIsCappedAndSuccessReturnsToTheInterval) {
  ProbeSchedule s(1000, 0, 5000);
  s.start(kT0);
  uint64_t now = kT0;
  const uint64_t waits[] = {1000, 2000, 4000, 5000, 5000};
  for (uint64_t w : waits) {
    s.on_result(false, now);
    EXPECT_EQ(s.next_due_ms(), now + w);
    now += w;
  }
  s.on_result(true, now);
  EXPECT_EQ(s.next_due_ms(), now + 1000);
  EXPECT_EQ(s.consecutive_failures(), 0u);
  s.on_result(false, now + 1000);
  EXPECT_EQ(s.next_due_ms(), now + 2000);  // the backoff starts over
}

TEST(ProbeSchedule, UnhealthyAfterTwoFailuresInARow) {
  ProbeSchedule s(1000, 0, 60000);
  s.start(kT0);
  s.on_result(false, kT0);
  EXPECT_TRUE(s.healthy());
  s.on_result(true, kT0 + 1000);
  s.on_result(false, kT0 + 2000);
  EXPECT_TRUE(s.healthy());
  s.on_result(false, kT0 + 3000);
  EXPECT_FALSE(s.healthy());
  EXPECT_EQ(s.consecutive_failures(), 2u);
  s.on_result(true, kT0 + 5000);
  EXPECT_TRUE(s.healthy());
}

TEST(ProbeSchedule, LongOutagesDoNotOverflowTheBackoff) {
  ProbeSchedule s(1000, 0, 120000);
  s.start(kT0);
  uint64_t now = kT0;
  for (int i = 0; i < 200; ++i) {
    s.on_result(false, now);
    ASSERT_LE(s.next_due_ms() - now, 120000u);
    ASSERT_GE(s.next_due_ms() - now, 1000u);
    now = s.next_due_ms();
  }
}

TEST(ProbeSchedule, RestartAppliesTheGraceAgain) {
  ProbeSchedule s(1000, 3000, 60000);
  s.start(kT0);
  s.on_result(false, kT0 + 3000);
  s.on_result(false, kT0 + 4000);
  s.start(kT0 + 10000);  // the deployment came back in a reload
  EXPECT_EQ(s.next_due_ms(), kT0 + 13000);
  EXPECT_TRUE(s.healthy());
}

}  // namespace
}  // namespace ringgate::upstream
