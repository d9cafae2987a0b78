#include "engine/upstream/probe_schedule.h"

#include <algorithm>

namespace ringgate::upstream {

ProbeSchedule::ProbeSchedule(uint32_t interval_ms, uint32_t grace_ms, uint32_t max_backoff_ms)
    : interval_ms_(std::max<uint32_t>(1, interval_ms)),
      grace_ms_(grace_ms),
      max_backoff_ms_(std::max(max_backoff_ms, interval_ms_)) {}

void ProbeSchedule::start(uint64_t now) {
  failures_ = 0;
  next_due_ms_ = now + grace_ms_;
}

void ProbeSchedule::on_result(bool healthy, uint64_t now) {
  if (healthy) {
    failures_ = 0;
    next_due_ms_ = now + interval_ms_;
    return;
  }
  if (failures_ < UINT32_MAX) ++failures_;
  const uint32_t shift = std::min<uint32_t>(failures_ - 1, 31);
  const uint64_t wait = std::min<uint64_t>(uint64_t{interval_ms_} << shift, max_backoff_ms_);
  next_due_ms_ = now + wait;
}

}  // namespace ringgate::upstream
