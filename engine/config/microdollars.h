// USD amounts as written in the config (prices, budgets) to integer microdollars, exactly: 0.1 is
// 100000, never 99999 from a binary float truncated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ringgate::config {

inline constexpr int64_t kMicrosPerUsd = 1'000'000;

// max_usd bounds the amount; at most 1e8 so that every amount with 6 decimals has at most 15
// significant digits, which a double holds exactly enough to give back the decimal written.
// On failure, why says what is wrong without the key's name (the caller prefixes it).
std::optional<int64_t> usd_to_micros(int64_t usd, int64_t max_usd, std::string& why);
std::optional<int64_t> usd_to_micros(double usd, int64_t max_usd, std::string& why);

// "2.5", "10", "0.000001": the shortest decimal for a micros amount.
std::string format_usd(int64_t micros);

}  // namespace ringgate::config
