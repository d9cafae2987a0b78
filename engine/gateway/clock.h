// Millisecond monotonic time for deadlines. The coarse clock is a vDSO read with no syscall;
// its few-ms granularity is far below any timeout we enforce.
#pragma once

#include <time.h>

#include <algorithm>
#include <cstdint>

namespace ringgate::gateway {

inline uint64_t now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
}

// Microseconds for the timings a request record reports (precise clock, still a vDSO read).
inline uint64_t now_us() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000 + uint64_t(ts.tv_nsec) / 1000;
}

// A deadline `ms` from now, never later than `cap` (the request's total deadline).
inline uint64_t deadline_within(uint32_t ms, uint64_t cap) { return std::min(now_ms() + ms, cap); }

// Milliseconds until `deadline` (at least 1, so an expired deadline still times out at once
// through the ring rather than meaning "no timeout").
inline uint32_t remaining_ms(uint64_t deadline) {
  uint64_t now = now_ms();
  return deadline > now ? uint32_t(std::min<uint64_t>(deadline - now, UINT32_MAX)) : 1;
}

}  // namespace ringgate::gateway
