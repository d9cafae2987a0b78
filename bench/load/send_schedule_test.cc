#include "bench/load/send_schedule.h"

#include <gtest/gtest.h>

namespace ringgate::bench {
namespace {

TEST(SendSchedule, IntendedTimesFollowTheRateNotTheSender) {
  SendSchedule schedule(1'000'000, 1000.0);  // one request per millisecond
  EXPECT_FALSE(schedule.due(999'999));
  EXPECT_TRUE(schedule.due(1'000'000));
  EXPECT_EQ(schedule.take(), 1'000'000u);
  EXPECT_EQ(schedule.take(), 2'000'000u);
  // The sender stalls for 10 ms: the requests due meanwhile keep their original intended
  // times, so the latency measured from them includes the stall.
  const uint64_t now = 12'000'000;
  EXPECT_EQ(schedule.backlog(now), 10u);
  uint64_t intended = 0;
  int sent = 0;
  while (schedule.due(now)) {
    intended = schedule.take();
    ++sent;
    EXPECT_GE(now - intended, 0u);
  }
  EXPECT_EQ(sent, 10);
  EXPECT_EQ(intended, 12'000'000u);
  EXPECT_EQ(schedule.backlog(now), 0u);
  EXPECT_EQ(schedule.next_due(), 13'000'000u);
}

TEST(SendSchedule, NoDriftOverManyRequests) {
  SendSchedule schedule(0, 3.0);  // interval 333333333.33 ns
  for (int i = 0; i < 3'000'000; ++i) schedule.take();
  // 1e6 seconds later, off by at most the rounding of one multiplication.
  const uint64_t due = schedule.next_due();
  EXPECT_LE(
      due > 1'000'000'000'000'000u ? due - 1'000'000'000'000'000u : 1'000'000'000'000'000u - due,
      1u);
}

TEST(SendSchedule, NothingDueBeforeStart) {
  SendSchedule schedule(5'000, 1e6);
  EXPECT_EQ(schedule.backlog(4'999), 0u);
  EXPECT_EQ(schedule.backlog(5'000), 1u);
}

}  // namespace
}  // namespace ringgate::bench
