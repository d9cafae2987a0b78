#include "bench/load/send_schedule.h"

#include <cmath>

namespace ringgate::bench {

SendSchedule::SendSchedule(uint64_t start_ns, double requests_per_second)
    : start_ns_(start_ns), interval_ns_(1e9 / requests_per_second) {}

// Computed from the start each time rather than accumulated, so rounding never drifts the rate.
uint64_t SendSchedule::next_due() const {
  return start_ns_ + static_cast<uint64_t>(static_cast<double>(taken_) * interval_ns_);
}

uint64_t SendSchedule::take() {
  const uint64_t due = next_due();
  ++taken_;
  return due;
}

uint64_t SendSchedule::backlog(uint64_t now_ns) const {
  if (now_ns < start_ns_) return 0;
  const auto due_by_now =
      static_cast<uint64_t>(std::floor(static_cast<double>(now_ns - start_ns_) / interval_ns_)) + 1;
  return due_by_now > taken_ ? due_by_now - taken_ : 0;
}

}  // namespace ringgate::bench
