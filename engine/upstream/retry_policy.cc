#include "engine/upstream/retry_policy.h"

#include <algorithm>
#include <array>

#include "protocol/http_syntax.h"

namespace ringgate::upstream {
namespace {

using protocol::http_syntax::trim_ows;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Leading decimal digits of s, saturating at cap; nullopt when there are none.
std::optional<uint64_t> take_digits(std::string_view& s, uint64_t cap) {
  size_t n = 0;
  uint64_t v = 0;
  while (n < s.size() && is_digit(s[n])) {
    v = std::min<uint64_t>(cap, v * 10 + static_cast<uint64_t>(s[n] - '0'));
    ++n;
  }
  if (n == 0) return std::nullopt;
  s.remove_prefix(n);
  return v;
}

// "1500" or "1500.25" (OpenAI sends fractions): milliseconds, the fraction rounded up.
std::optional<uint64_t> parse_ms(std::string_view s) {
  s = trim_ows(s);
  auto whole = take_digits(s, kMaxRetryAfterMs);
  if (!whole) return std::nullopt;
  if (s.empty()) return whole;
  if (s.front() != '.') return std::nullopt;
  s.remove_prefix(1);
  const bool nonzero = s.find_first_not_of('0') != std::string_view::npos;
  if (s.empty() || !take_digits(s, 1) || !s.empty()) return std::nullopt;
  return std::min<uint64_t>(kMaxRetryAfterMs, *whole + (nonzero ? 1 : 0));
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Exactly `width` digits.
std::optional<unsigned> fixed_digits(std::string_view& s, size_t width) {
  if (s.size() < width) return std::nullopt;
  unsigned v = 0;
  for (size_t i = 0; i < width; ++i) {
    if (!is_digit(s[i])) return std::nullopt;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  s.remove_prefix(width);
  return v;
}

bool take(std::string_view& s, std::string_view lit) {
  if (s.substr(0, lit.size()) != lit) return false;
  s.remove_prefix(lit.size());
  return true;
}

// IMF-fixdate, RFC 9110 5.6.7: "Sun, 06 Nov 1994 08:49:37 GMT". Unix seconds or nullopt.
std::optional<int64_t> parse_imf_fixdate(std::string_view s) {
  static constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu",
                                                            "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static constexpr std::array<unsigned, 12> kMonthDays = {31, 29, 31, 30, 31, 30,
                                                          31, 31, 30, 31, 30, 31};
  if (s.size() != 29) return std::nullopt;
  if (std::find(kDays.begin(), kDays.end(), s.substr(0, 3)) == kDays.end()) return std::nullopt;
  s.remove_prefix(3);
  if (!take(s, ", ")) return std::nullopt;
  const auto day = fixed_digits(s, 2);
  if (!day || !take(s, " ")) return std::nullopt;
  const auto month_it = std::find(kMonths.begin(), kMonths.end(), s.substr(0, 3));
  if (month_it == kMonths.end()) return std::nullopt;
  s.remove_prefix(3);
  const unsigned month = static_cast<unsigned>(month_it - kMonths.begin()) + 1;
  if (!take(s, " ")) return std::nullopt;
  const auto year = fixed_digits(s, 4);
  if (!year || !take(s, " ")) return std::nullopt;
  const auto hh = fixed_digits(s, 2);
  if (!hh || !take(s, ":")) return std::nullopt;
  const auto mm = fixed_digits(s, 2);
  if (!mm || !take(s, ":")) return std::nullopt;
  const auto ss = fixed_digits(s, 2);
  if (!ss || s != " GMT") return std::nullopt;
  const bool day_ok =
      *day >= 1 && *day <= kMonthDays[month - 1] && (month != 2 || *day <= 28 || leap(*year));
  if (!day_ok || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;  // 60: a leap second
  return days_from_civil(*year, month, *day) * 86400 + *hh * 3600 + *mm * 60 + *ss;
}

}  // namespace

bool retryable_status(int status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

uint32_t backoff_ms(uint32_t attempt, uint32_t base_ms, uint32_t cap_ms, uint64_t random_bits) {
  const uint32_t shift = std::min<uint32_t>(attempt, 32);
  const uint64_t ceiling = std::min<uint64_t>(cap_ms, uint64_t{base_ms} << shift);
  return static_cast<uint32_t>(random_bits % (ceiling + 1));
}

std::optional<uint32_t> parse_retry_after_ms(std::string_view retry_after,
                                             std::string_view retry_after_ms, int64_t now_unix_s) {
  if (const auto ms = parse_ms(retry_after_ms)) return static_cast<uint32_t>(*ms);
  const std::string_view value = trim_ows(retry_after);
  std::string_view rest = value;
  if (const auto secs = take_digits(rest, kMaxRetryAfterMs / 1000); secs && rest.empty())
    return static_cast<uint32_t>(*secs * 1000);
  const auto when = parse_imf_fixdate(value);
  if (!when) return std::nullopt;
  if (*when <= now_unix_s) return 0u;
  // Unsigned: the difference of two int64s that are in order always fits.
  const uint64_t delta_s = static_cast<uint64_t>(*when) - static_cast<uint64_t>(now_unix_s);
  return static_cast<uint32_t>(std::min<uint64_t>(delta_s, kMaxRetryAfterMs / 1000) * 1000);
}

}  // namespace ringgate::upstream
