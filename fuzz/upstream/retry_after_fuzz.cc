// Random bytes as an upstream's Retry-After and retry-after-ms header values: the parser must
// answer nullopt or a wait within the one-hour cap, never crash or overflow.
// Input: the retry-after-ms value, a '\n', then the Retry-After value; the clock is fixed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/upstream/retry_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t cut = in.find('\n');
  const std::string_view ms = in.substr(0, cut);
  const std::string_view header = cut == std::string_view::npos ? "" : in.substr(cut + 1);
  constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
  for (int64_t now : {kNow, int64_t{0}, INT64_MIN, INT64_MAX}) {
    const auto wait = ringgate::upstream::parse_retry_after_ms(header, ms, now);
    if (wait && *wait > ringgate::upstream::kMaxRetryAfterMs) abort();
  }
  return 0;
}
