#include "providers/usage/cost.h"

#include <algorithm>

namespace ringgate::providers {

int64_t cost_micros(const Usage& u, const TokenPrices& p) {
  using u128 = unsigned __int128;
  auto term = [](int64_t tokens, int64_t price) {
    return u128(uint64_t(std::max<int64_t>(tokens, 0))) * uint64_t(std::max<int64_t>(price, 0));
  };
  // Token counts are at most 2^40 and prices at most 10^10 per Mtok: no overflow in 128 bits.
  const u128 per_mtok = term(u.input_tokens, p.input) + term(u.output_tokens, p.output) +
                        term(u.cached_input_tokens, p.cached_input) +
                        term(u.cache_creation_tokens, p.cache_write);
  const u128 micros = (per_mtok + 500'000) / 1'000'000;
  return micros > u128(INT64_MAX) ? INT64_MAX : int64_t(micros);
}

}  // namespace ringgate::providers
