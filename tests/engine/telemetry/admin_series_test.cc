#include "engine/telemetry/admin_series.h"

#include <gtest/gtest.h>

#include <thread>

namespace ringgate::telemetry {
namespace {

constexpr int64_t kT0 = 1764806400;  // 2025-12-04 00:00:00 UTC, a step boundary

RequestRecord record(std::string_view key, int status, uint32_t total_us, int64_t cost = 0,
                     std::string_view deployment = "mock-a") {
  RequestRecord r;
  r.request_id.assign("req");
  r.client_key.assign(key);
  r.model_requested.assign("gpt-4o");
  r.deployment.assign(deployment);
  r.status = uint16_t(status);
  r.total_us = total_us;
  r.upstream_ttfb_us = total_us / 2;
  r.cost_micros = cost;
  return r;
}

TEST(LatencyHistogram, QuantilesAreBucketUpperBoundsAtOrAboveTheTruth) {
  LatencyHistogram h;
  EXPECT_EQ(h.quantile_ms(0.5), 0);
  for (int i = 0; i < 99; ++i) h.add(1000);  // 1 ms
  h.add(1'000'000);                          // 1 s
  EXPECT_EQ(h.total(), 100u);
  const double p50 = h.quantile_ms(0.5), p99 = h.quantile_ms(0.99), p100 = h.quantile_ms(1.0);
  EXPECT_GE(p50, 1.0);
  EXPECT_LT(p50, 1.4 * 1.0 + 1e-9);  // within one bucket (x1.4)
  EXPECT_EQ(p99, p50);               // the 99th of 100 is still a 1 ms one
  EXPECT_GE(p100, 1000.0);
  EXPECT_LT(p100, 1400.0);
}

TEST(LatencyHistogram, TinyAndHugeObservationsLandInTheEndBuckets) {
  LatencyHistogram h;
  h.add(0);
  h.add(UINT32_MAX);
  EXPECT_EQ(h.counts.front(), 1u);
  EXPECT_EQ(h.counts.back(), 1u);
}

// seed-defect: 000-M2 (a window's errors and requests are summed over the same steps)
TEST(AdminSeries, StepsWindowsAndCountersFollowTheRecords) {
  AdminSeries s;
  s.on_record(record("alice", 200, 2000, 100), "eng", kT0 * 1000 + 500);
  s.on_record(record("alice", 500, 4000, 0), "eng", kT0 * 1000 + 9000);
  s.on_record(record("bob", 429, 1000, 0, ""), "", (kT0 + 10) * 1000);
  s.maybe_publish((kT0 + 15) * 1000, true);
  const auto snap = s.snapshot();
  ASSERT_EQ(snap->points.size(), 2u);
  EXPECT_EQ(snap->points[0].t, kT0);
  EXPECT_EQ(snap->points[0].requests, 2u);
  EXPECT_EQ(snap->points[0].errors, 1u);
  EXPECT_EQ(snap->points[0].spend_micros, 100);
  EXPECT_EQ(snap->points[1].t, kT0 + 10);
  EXPECT_EQ(snap->points[1].errors, 1u);  // a 429 is an error
  EXPECT_EQ(snap->last_1m.requests, 3u);
  EXPECT_EQ(snap->last_5m.errors, 2u);
  EXPECT_GE(snap->p99_ms, 4.0);
  EXPECT_GT(snap->ttft_p50_ms, 0);
  EXPECT_EQ(snap->spend_today_micros, 100);
  EXPECT_EQ(snap->keys.at("alice").requests, 2u);
  EXPECT_EQ(snap->keys.at("alice").spend_micros, 100);
  EXPECT_EQ(snap->teams.at("eng").requests, 2u);
  EXPECT_EQ(snap->teams.count(""), 0u);
  EXPECT_EQ(snap->deployments.at("mock-a").errors, 1u);
  ASSERT_EQ(snap->recent.size(), 3u);
  EXPECT_EQ(snap->recent[0].key, "bob");  // newest first
  EXPECT_GT(snap->recent[0].seq, snap->recent[1].seq);
}

TEST(AdminSeries, AnHourOldStepIsDroppedAndItsSlotReused) {
  AdminSeries s;
  s.on_record(record("alice", 200, 1000), "", kT0 * 1000);
  const int64_t hour_later = kT0 + 3600;  // the same slot in the ring
  s.on_record(record("alice", 200, 1000), "", hour_later * 1000);
  s.maybe_publish(hour_later * 1000, true);
  const auto snap = s.snapshot();
  ASSERT_EQ(snap->points.size(), 1u);
  EXPECT_EQ(snap->points[0].t, hour_later);
  EXPECT_EQ(snap->points[0].requests, 1u);
  EXPECT_EQ(snap->last_5m.requests, 1u);
}

TEST(AdminSeries, TheGatewaysOwnAnswersAreNotTraffic) {
  AdminSeries s;
  RequestRecord health;
  health.outcome = Outcome::kLocal;
  health.status = 200;
  s.on_record(health, "", kT0 * 1000);
  s.maybe_publish(kT0 * 1000, true);
  EXPECT_TRUE(s.snapshot()->points.empty());
  EXPECT_TRUE(s.snapshot()->recent.empty());
}

TEST(AdminSeries, SpendTodayStartsOverAtUtcMidnight) {
  AdminSeries s;
  s.on_record(record("a", 200, 1000, 70), "", (kT0 - 5) * 1000);  // yesterday
  s.on_record(record("a", 200, 1000, 30), "", (kT0 + 5) * 1000);
  s.maybe_publish((kT0 + 6) * 1000, true);
  EXPECT_EQ(s.snapshot()->spend_today_micros, 30);
  EXPECT_EQ(s.snapshot()->keys.at("a").spend_micros, 100);
}

TEST(AdminSeries, RecentRowsAreARingOfTheNewest) {
  AdminSeries s;
  for (size_t i = 0; i < AdminSeries::kRecentRows + 5; ++i) {
    s.on_record(record("k" + std::to_string(i), 200, 1000), "", kT0 * 1000);
  }
  s.maybe_publish(kT0 * 1000, true);
  const auto snap = s.snapshot();
  ASSERT_EQ(snap->recent.size(), AdminSeries::kRecentRows);
  EXPECT_EQ(snap->recent.front().key, "k" + std::to_string(AdminSeries::kRecentRows + 4));
  EXPECT_EQ(snap->recent.back().key, "k5");
}

TEST(AdminSeries, PublishingIsThrottledButRefreshes) {
  AdminSeries s;
  s.maybe_publish(kT0 * 1000, true);
  s.on_record(record("a", 200, 1000), "", kT0 * 1000);
  s.maybe_publish(kT0 * 1000 + 100);  // too soon
  EXPECT_TRUE(s.snapshot()->recent.empty());
  s.maybe_publish(kT0 * 1000 + AdminSeries::kPublishMs);
  EXPECT_EQ(s.snapshot()->recent.size(), 1u);
  const auto before = s.snapshot();
  s.maybe_publish(kT0 * 1000 + AdminSeries::kPublishMs + AdminSeries::kRefreshMs);
  EXPECT_NE(s.snapshot().get(), before.get());  // nothing new, but the windows moved on
}

// Readers on other threads hold snapshots while the accounting thread publishes (TSan).
TEST(AdminSeries, ReadersRaceThePublisherSafely) {
  AdminSeries s;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    uint64_t seen = 0;
    while (!done.load()) {
      const auto snap = s.snapshot();
      for (const AdminRow& r : snap->recent) seen += r.seq;
    }
    EXPECT_GE(seen, 0u);
  });
  for (int i = 0; i < 2000; ++i) {
    s.on_record(record("a", 200, 1000), "", kT0 * 1000 + i);
    s.maybe_publish(kT0 * 1000 + i, true);
  }
  done = true;
  reader.join();
  EXPECT_EQ(s.snapshot()->recent.size(), AdminSeries::kRecentRows);
}

// seed-defect: 000-H2 (the per-name counters stop growing at kMaxNames)
TEST(AdminSeries, PerNameCountersAreBounded) {
  AdminSeries s;
  for (size_t i = 0; i < AdminSeries::kMaxNames + 10; ++i) {
    s.on_record(record("k" + std::to_string(i), 200, 1000), "", kT0 * 1000);
  }
  s.maybe_publish(kT0 * 1000, true);
  EXPECT_EQ(s.snapshot()->keys.size(), AdminSeries::kMaxNames);
  EXPECT_EQ(s.snapshot()->points.at(0).requests, AdminSeries::kMaxNames + 10);
}

}  // namespace
}  // namespace ringgate::telemetry
