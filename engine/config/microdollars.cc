#include "engine/config/microdollars.h"

#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

namespace ringgate::config {
namespace {

constexpr int kDecimals = 6;

// The shortest decimal that reads back as v, in fixed notation: the decimal the user wrote
// whenever it had at most 15 significant digits (which max_usd guarantees).
std::string shortest_decimal(double v) {
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

std::string range_text(int64_t max_usd) {
  return "must be between 0 and " + std::to_string(max_usd) + " USD";
}

}  // namespace

std::optional<int64_t> usd_to_micros(int64_t usd, int64_t max_usd, std::string& why) {
  if (usd < 0 || usd > max_usd) {
    why = range_text(max_usd) + ", not " + std::to_string(usd);
    return std::nullopt;
  }
  return usd * kMicrosPerUsd;
}

std::optional<int64_t> usd_to_micros(double usd, int64_t max_usd, std::string& why) {
  if (!std::isfinite(usd) || usd < 0 || usd > static_cast<double>(max_usd)) {
    why = range_text(max_usd) + ", not " + (std::isfinite(usd) ? shortest_decimal(usd) : "inf/nan");
    return std::nullopt;
  }
  std::string text = shortest_decimal(usd);
  std::string_view whole = text, fraction;
  if (size_t dot = text.find('.'); dot != std::string::npos) {
    whole = std::string_view(text).substr(0, dot);
    fraction = std::string_view(text).substr(dot + 1);
  }
  if (fraction.size() > kDecimals) {
    why = "has more than 6 decimals (" + text + "); amounts are whole microdollars";
    return std::nullopt;
  }
  int64_t micros = 0;
  for (char c : whole) micros = micros * 10 + (c - '0');
  for (int i = 0; i < kDecimals; ++i) {
    micros = micros * 10 + (i < static_cast<int>(fraction.size()) ? fraction[i] - '0' : 0);
  }
  return micros;
}

std::string format_usd(int64_t micros) {
  std::string sign = micros < 0 ? "-" : "";
  uint64_t m = micros < 0 ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  std::string out = sign + std::to_string(m / kMicrosPerUsd);
  std::string fraction = std::to_string(m % kMicrosPerUsd);
  fraction.insert(0, kDecimals - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  if (!fraction.empty()) out += "." + fraction;
  return out;
}

}  // namespace ringgate::config
