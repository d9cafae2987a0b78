#include "bench/load/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace ringgate::bench {

int LatencyHistogram::bucket_index(uint64_t value) {
  if (value < kSubBuckets) return static_cast<int>(value);
  const int msb = 63 - std::countl_zero(value);
  const int shift = msb - (kSubBucketBits - 1);
  const uint64_t top = value >> shift;  // in [kHalf, kSubBuckets)
  return static_cast<int>(static_cast<uint64_t>(shift) * kHalf + top);
}

uint64_t LatencyHistogram::bucket_lowest(int index) {
  const auto i = static_cast<uint64_t>(index);
  if (i < kSubBuckets) return i;
  const uint64_t shift = i / kHalf - 1;
  const uint64_t top = i % kHalf + kHalf;
  return top << shift;
}

uint64_t LatencyHistogram::bucket_highest(int index) {
  const auto i = static_cast<uint64_t>(index);
  if (i < kSubBuckets) return i;
  const uint64_t shift = i / kHalf - 1;
  return bucket_lowest(index) + ((uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(uint64_t value) {
  ++counts_[bucket_index(value)];
  ++count_;
  sum_ += value;
  max_ = std::max(max_, value);
  min_ = std::min(min_, value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
}

void LatencyHistogram::clear() { *this = LatencyHistogram{}; }

double LatencyHistogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

uint64_t LatencyHistogram::percentile(double percentile) const {
  if (count_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  auto rank = static_cast<uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (int i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(bucket_highest(i), max_);
  }
  return max_;
}

}  // namespace ringgate::bench
