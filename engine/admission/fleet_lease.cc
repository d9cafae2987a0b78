#include "engine/admission/fleet_lease.h"

#include <unistd.h>

#include <algorithm>

namespace ringgate::admission {

FleetLease::FleetLease(std::string scope, uint64_t limit, uint64_t window_s, uint64_t slice,
                       const std::atomic<FleetState>* state, int wake_fd)
    : scope_(std::move(scope)),
      limit_(limit),
      window_s_(std::max<uint64_t>(window_s, 1)),
      slice_(std::clamp<uint64_t>(slice, 1, std::max<uint64_t>(limit, 1))),
      low_water_(slice_ / 2),  // renew when half the slice is spent: one round trip of headroom
      state_(state),
      wake_fd_(wake_fd) {}

// Once per renewal, not per request: only the take that raises the flag writes the eventfd.
void FleetLease::ask_renewal() {
  if (want_.load(std::memory_order_relaxed) || want_.exchange(true, std::memory_order_acq_rel))
    return;
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof one);
  }
}

FleetLease::Take FleetLease::try_take(uint64_t unix_ms) {
  const uint64_t window = window_of(unix_ms);
  std::atomic<uint64_t>& w = word(window);
  uint64_t cur = w.load(std::memory_order_acquire);
  while (same_window(cur, window) && (cur & kLeftMask) > 0) {
    if (w.compare_exchange_weak(cur, cur - 1, std::memory_order_acq_rel)) {
      last_take_ms_.store(unix_ms, std::memory_order_relaxed);
      if ((cur & kLeftMask) - 1 <= low_water_) ask_renewal();
      return Take::kOk;
    }
  }
  last_take_ms_.store(unix_ms, std::memory_order_relaxed);
  const FleetState s = state_->load(std::memory_order_acquire);
  if (s == FleetState::kDownClosed) return Take::kUnavailable;
  if (exhausted_.load(std::memory_order_acquire) == window + 1) return Take::kExhausted;
  if (s == FleetState::kDownLocal) return Take::kExhausted;  // the local share is spent
  ask_renewal();
  return Take::kRenewing;
}

void FleetLease::give_back(uint64_t window) {
  std::atomic<uint64_t>& w = word(window);
  uint64_t cur = w.load(std::memory_order_acquire);
  while (same_window(cur, window) && !w.compare_exchange_weak(cur, cur + 1)) {
  }
}

void FleetLease::install(uint64_t window, uint64_t grant) {
  std::atomic<uint64_t>& w = word(window);
  uint64_t cur = w.load(std::memory_order_acquire);
  uint64_t next;
  do {
    const uint64_t left = same_window(cur, window) ? (cur & kLeftMask) : 0;
    next = pack(window, std::min(left + grant, kLeftMask));
  } while (!w.compare_exchange_weak(cur, next, std::memory_order_acq_rel));
  want_.store(false, std::memory_order_release);
}

uint64_t FleetLease::take_remaining(uint64_t window) {
  std::atomic<uint64_t>& w = word(window);
  uint64_t cur = w.load(std::memory_order_acquire);
  while (same_window(cur, window) && (cur & kLeftMask) > 0) {
    if (w.compare_exchange_weak(cur, pack(window, 0), std::memory_order_acq_rel))
      return cur & kLeftMask;
  }
  return 0;
}

uint64_t FleetLease::remaining(uint64_t window) const {
  const uint64_t cur = word(window).load(std::memory_order_acquire);
  return same_window(cur, window) ? (cur & kLeftMask) : 0;
}

}  // namespace ringgate::admission
