// Retry policy: which upstream answers may be retried (408, 429, 5xx only; never other 4xx,
// 002-3), the backoff before the next attempt (exponential, full jitter), and how long the
// upstream asked us to wait (retry-after-ms, then Retry-After as seconds or an HTTP date).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ringgate::upstream {

inline constexpr uint32_t kMaxRetryAfterMs = 3'600'000;  // an upstream cannot park us for longer

bool retryable_status(int status);

// Uniform in [0, min(cap_ms, base_ms * 2^attempt)], drawn from random_bits (full jitter).
uint32_t backoff_ms(uint32_t attempt, uint32_t base_ms, uint32_t cap_ms, uint64_t random_bits);

// The header values as received (empty when absent). retry-after-ms wins when it parses; a
// Retry-After date is taken relative to now_unix_s (a past date is 0). Garbage is nullopt; the
// result is capped at kMaxRetryAfterMs.
std::optional<uint32_t> parse_retry_after_ms(std::string_view retry_after,
                                             std::string_view retry_after_ms, int64_t now_unix_s);

}  // namespace ringgate::upstream
