#include "bench/load/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace ringgate::bench {
namespace {

// Exact percentile by the same rank rule as the histogram (nearest rank).
uint64_t exact_percentile(std::vector<uint64_t> values, double percentile) {
  std::sort(values.begin(), values.end());
  auto rank = static_cast<size_t>(std::ceil(percentile / 100.0 * values.size()));
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

TEST(LatencyHistogram, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.percentile(99.9), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile(50), 50u);
  EXPECT_EQ(h.percentile(90), 90u);
  EXPECT_EQ(h.percentile(99), 99u);
  EXPECT_EQ(h.percentile(100), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGaps) {
  for (int i = 1; i < LatencyHistogram::kBucketCount; ++i) {
    ASSERT_EQ(LatencyHistogram::bucket_lowest(i), LatencyHistogram::bucket_highest(i - 1) + 1)
        << "bucket " << i;
  }
  EXPECT_EQ(LatencyHistogram::bucket_index(UINT64_MAX), LatencyHistogram::kBucketCount - 1);
  EXPECT_EQ(LatencyHistogram::bucket_highest(LatencyHistogram::kBucketCount - 1), UINT64_MAX);
}

TEST(LatencyHistogram, EveryValueLandsInTheBucketThatCoversIt) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = rng() >> (rng() % 64);
    const int index = LatencyHistogram::bucket_index(v);
    ASSERT_LE(LatencyHistogram::bucket_lowest(index), v);
    ASSERT_GE(LatencyHistogram::bucket_highest(index), v);
  }
}

TEST(LatencyHistogram, PercentilesWithinRelativePrecisionOfExact) {
  // Log-normal latencies around 100 us with a long tail, in nanoseconds.
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(std::log(100'000.0), 0.8);
  std::vector<uint64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 200000; ++i) {
    const auto v = static_cast<uint64_t>(dist(rng));
    values.push_back(v);
    h.record(v);
  }
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    const double exact = static_cast<double>(exact_percentile(values, p));
    const double reported = static_cast<double>(h.percentile(p));
    EXPECT_GE(reported, exact) << "p" << p;  // highest equivalent value never under-reports
    EXPECT_LE(reported, exact * (1 + 1.0 / 64)) << "p" << p;
  }
  EXPECT_EQ(h.max(), *std::max_element(values.begin(), values.end()));
  EXPECT_EQ(h.percentile(100), h.max());
}

TEST(LatencyHistogram, TailIsSeenDespiteFewSamples) {
  LatencyHistogram h;
  for (int i = 0; i < 990; ++i) h.record(50'000);
  for (int i = 0; i < 10; ++i) h.record(5'000'000);
  EXPECT_LE(h.percentile(99), 50'000u * 65 / 64);
  EXPECT_GE(h.percentile(99.9), 5'000'000u);
  EXPECT_EQ(h.max(), 5'000'000u);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (uint64_t v = 1; v < 50000; v += 7) {
    ((v % 3 == 0) ? a : b).record(v * 13);
    all.record(v * 13);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.min(), all.min());
  for (double p : {10.0, 50.0, 99.0, 99.9}) EXPECT_EQ(a.percentile(p), all.percentile(p));
}

}  // namespace
}  // namespace ringgate::bench
