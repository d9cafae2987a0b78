#include "engine/admission/fleet_lease.h"

#include <unistd.h>

#include <algorithm>

#include "engine/admission/utc_period.h"
#include "protocol/civil_date.h"

namespace ringgate::admission {

namespace {

constexpr uint64_t kRecheckMs = 1000;    // a spent long window is asked again this often
constexpr uint64_t kLongWindowS = 3600;  // from this length on
constexpr int64_t kDayS = 86'400;

}  // namespace

FleetLease::FleetLease(std::string scope, uint64_t limit, uint64_t window_s, uint64_t slice,
                       const std::atomic<FleetState>* state, int wake_fd, FleetWindow kind,
                       bool exact)
    : scope_(std::move(scope)),
      limit_(limit),
      window_s_(std::max<uint64_t>(window_s, 1)),
      slice_(std::clamp<uint64_t>(slice, 1, std::max<uint64_t>(limit, 1))),
      low_water_(slice_ / 2),  // renew when half the slice is spent: one round trip of headroom
      state_(state),
      wake_fd_(wake_fd),
      kind_(kind),
      exact_(exact) {}

uint64_t FleetLease::window_of(uint64_t unix_ms) const {
  switch (kind_) {
    case FleetWindow::kSeconds:
      return unix_ms / 1000 / window_s_;
    case FleetWindow::kUtcMonth:
      return utc_periods(int64_t(unix_ms / 1000)).month;
    case FleetWindow::kForever:
      break;
  }
  return 0;
}

uint64_t FleetLease::window_end_ms(uint64_t window) const {
  switch (kind_) {
    case FleetWindow::kSeconds:
      return (window + 1) * window_s_ * 1000;
    case FleetWindow::kUtcMonth: {
      const uint64_t next = window + 1;  // months since 1970-01
      return uint64_t(
                 protocol::days_from_civil(int64_t(1970 + next / 12), unsigned(next % 12 + 1), 1) *
                 kDayS) *
             1000;
    }
    case FleetWindow::kForever:
      break;
  }
  return UINT64_MAX;
}

// Once per renewal, not per request: only the take that raises the flag writes the eventfd.
void FleetLease::ask_renewal() {
  if (want_.load(std::memory_order_relaxed) || want_.exchange(true, std::memory_order_acq_rel))
    return;
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof one);
  }
}

FleetLease::Take FleetLease::try_take(uint64_t unix_ms, uint64_t amount) {
  if (amount == 0) return Take::kOk;
  const uint64_t window = window_of(unix_ms);
  std::atomic<uint64_t>& w = word(window);
  uint64_t cur = w.load(std::memory_order_acquire);
  while (same_window(cur, window) && (cur & kLeftMask) >= amount) {
    if (w.compare_exchange_weak(cur, cur - amount, std::memory_order_acq_rel)) {
      last_take_ms_.store(unix_ms, std::memory_order_relaxed);
      if (!exact_ && (cur & kLeftMask) - amount <= low_water_) ask_renewal();
      return Take::kOk;
    }
  }
  last_take_ms_.store(unix_ms, std::memory_order_relaxed);
  const FleetState s = state_->load(std::memory_order_acquire);
  if (s == FleetState::kDownClosed) return Take::kUnavailable;
  if (amount > kLeftMask) return Take::kExhausted;  // no lease word can hold it
  if (exhausted_.load(std::memory_order_acquire) == window + 1) {
    const uint64_t at = exhausted_at_ms_.load(std::memory_order_relaxed);
    if (at && window_s_ >= kLongWindowS && unix_ms - at >= kRecheckMs && s == FleetState::kUp) {
      exhausted_at_ms_.store(unix_ms, std::memory_order_relaxed);
      raise_need(amount);
      ask_renewal();
    }
    return Take::kExhausted;
  }
  if (s == FleetState::kDownLocal) return Take::kExhausted;  // the local share is spent
  if (exact_) {
    // Every failed take asks once; the first ask since the thread last collected wakes it.
    if (asked_.fetch_add(amount, std::memory_order_acq_rel) == 0 && wake_fd_ >= 0) {
      const uint64_t one = 1;
      [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof one);
    }
    return Take::kRenewing;
  }
  raise_need(amount);
  ask_renewal();
  return Take::kRenewing;
}

void FleetLease::raise_need(uint64_t amount) {
  uint64_t cur = need_.load(std::memory_order_relaxed);
  while (cur < amount && !need_.compare_exchange_weak(cur, amount, std::memory_order_relaxed)) {
  }
}

void FleetLease::give_back(uint64_t window, uint64_t amount) {
  std::atomic<uint64_t>& w = word(window);
  uint64_t cur = w.load(std::memory_order_acquire);
  while (same_window(cur, window) &&
         !w.compare_exchange_weak(cur,
                                  pack(window, std::min((cur & kLeftMask) + amount, kLeftMask)))) {
  }
}

void FleetLease::charge_extra(uint64_t window, uint64_t amount) {
  std::atomic<uint64_t>& w = word(window);
  uint64_t cur = w.load(std::memory_order_acquire);
  while (same_window(cur, window) && amount > 0) {
    const uint64_t from_lease = std::min(cur & kLeftMask, amount);
    if (w.compare_exchange_weak(cur, cur - from_lease, std::memory_order_acq_rel)) {
      amount -= from_lease;
      break;
    }
  }
  if (amount) debt_.fetch_add(amount, std::memory_order_acq_rel);
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
