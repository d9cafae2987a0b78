// ProbeSchedule: when one deployment's next active health probe is due. The first probe waits
// out a start-up grace (004-P8); failures back off exponentially up to a cap so a struggling
// server is never stormed; a success returns to the plain interval. Pure: now is an argument.
#pragma once

#include <cstdint>

namespace ringgate::upstream {

class ProbeSchedule {
 public:
  static constexpr uint32_t kUnhealthyAfter = 2;  // consecutive failures

  ProbeSchedule(uint32_t interval_ms, uint32_t grace_ms, uint32_t max_backoff_ms);

  void start(uint64_t now);
  uint64_t next_due_ms() const { return next_due_ms_; }
  // After the k-th failure in a row the next probe waits interval * 2^(k-1), capped.
  void on_result(bool healthy, uint64_t now);
  bool healthy() const { return failures_ < kUnhealthyAfter; }  // true before the first result
  uint32_t consecutive_failures() const { return failures_; }

 private:
  uint32_t interval_ms_;
  uint32_t grace_ms_;
  uint32_t max_backoff_ms_;
  uint32_t failures_ = 0;
  uint64_t next_due_ms_ = 0;
};

}  // namespace ringgate::upstream
