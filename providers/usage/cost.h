// What a request cost: its usage times its model's prices, in integer microdollars. Each bucket
// of Usage has its own price (they never overlap), and the sum is rounded once, half up, so a
// ledger that adds rows adds the same numbers a provider's invoice does to within a microdollar
// per request.
#pragma once

#include <cstdint>

#include "providers/usage/usage.h"

namespace ringgate::providers {

// Microdollars per million tokens.
struct TokenPrices {
  int64_t input = 0, output = 0, cached_input = 0, cache_write = 0;
};

int64_t cost_micros(const Usage& usage, const TokenPrices& prices);

}  // namespace ringgate::providers
