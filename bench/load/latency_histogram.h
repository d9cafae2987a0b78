#pragma once

#include <array>
#include <cstdint>

namespace ringgate::bench {

// Log-bucketed histogram in the style of HdrHistogram: every power of two is split into
// kSubBuckets/2 linear sub-buckets, so any recorded value is reported within 1/64 (~1.6%)
// of its true value while the whole nanosecond range of a uint64 fits in a few thousand
// counters. Recording is a couple of bit operations and one increment: cheap enough for the
// load generator's hot loop, and fixed size so it never allocates.
class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;
  static constexpr uint64_t kHalf = kSubBuckets / 2;
  static constexpr int kBucketCount = static_cast<int>((64 - kSubBucketBits + 1) * kHalf + kHalf);

  void record(uint64_t value);
  void merge(const LatencyHistogram& other);
  void clear();

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  double mean() const;

  // Smallest recorded-bucket value v such that at least `percentile`% of the samples are <= v
  // (reported as the bucket's highest equivalent value, capped at the true maximum).
  // Returns 0 for an empty histogram; percentile is clamped to [0, 100].
  uint64_t percentile(double percentile) const;

  static int bucket_index(uint64_t value);
  static uint64_t bucket_lowest(int index);
  static uint64_t bucket_highest(int index);

 private:
  std::array<uint64_t, kBucketCount> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
  long double sum_ = 0;
};

}  // namespace ringgate::bench
