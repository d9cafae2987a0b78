#include "engine/upstream/balancer.h"

#include <algorithm>
#include <tuple>

namespace ringgate::upstream {

std::optional<Strategy> parse_strategy(std::string_view s) {
  if (s == "weighted") return Strategy::kWeighted;
  if (s == "least_outstanding") return Strategy::kLeastOutstanding;
  if (s == "latency") return Strategy::kLatency;
  return std::nullopt;
}

void DeploymentLoad::on_ttfb(double ms) {
  ewma_ttfb_ms = samples == 0 ? ms : kAlpha * ms + (1 - kAlpha) * ewma_ttfb_ms;
  ++samples;
}

uint32_t Balancer::rotation(uint32_t i, size_t n) const {
  return static_cast<uint32_t>((i + n - turn_ % n) % n);
}

void Balancer::order(Strategy s, std::span<const uint32_t> weights,
                     std::span<const DeploymentLoad> loads, std::span<const bool> usable,
                     std::vector<uint32_t>& out) {
  out.clear();
  const size_t n = std::min({weights.size(), loads.size(), usable.size()});
  for (uint32_t i = 0; i < n; ++i)
    if (usable[i]) out.push_back(i);
  if (out.empty()) return;
  if (current_.size() < weights.size()) current_.resize(weights.size(), 0);
  switch (s) {
    case Strategy::kWeighted:
      order_weighted(weights, out);
      break;
    case Strategy::kLeastOutstanding:
      std::stable_sort(out.begin(), out.end(), [&](uint32_t a, uint32_t b) {
        return std::tuple(loads[a].outstanding, -int64_t{weights[a]}, rotation(a, n)) <
               std::tuple(loads[b].outstanding, -int64_t{weights[b]}, rotation(b, n));
      });
      break;
    case Strategy::kLatency:
      std::stable_sort(out.begin(), out.end(), [&](uint32_t a, uint32_t b) {
        const bool new_a = loads[a].samples < kMinLatencySamples;
        const bool new_b = loads[b].samples < kMinLatencySamples;
        if (new_a != new_b) return new_a;
        if (new_a)
          return std::tuple(loads[a].samples, rotation(a, n)) <
                 std::tuple(loads[b].samples, rotation(b, n));
        return std::tuple(loads[a].ewma_ttfb_ms, rotation(a, n)) <
               std::tuple(loads[b].ewma_ttfb_ms, rotation(b, n));
      });
      break;
  }
  ++turn_;
}

// nginx's smooth weighted round robin over the usable ones: each gains its weight, the largest
// is picked and pays the total. The rest follow by running weight, i.e. who would be next.
// A set whose weights are all 0 is treated as equal weights.
void Balancer::order_weighted(std::span<const uint32_t> weights, std::vector<uint32_t>& out) {
  bool all_zero = true;
  for (uint32_t i : out) all_zero = all_zero && weights[i] == 0;
  int64_t total = 0;
  uint32_t best = out.front();
  for (uint32_t i : out) {
    const int64_t w = all_zero ? 1 : weights[i];
    current_[i] += w;
    total += w;
    if (current_[i] > current_[best]) best = i;
  }
  current_[best] -= total;
  std::stable_sort(out.begin(), out.end(), [&](uint32_t a, uint32_t b) {
    if (a == best || b == best) return a == best && b != best;
    return current_[a] > current_[b];
  });
}

}  // namespace ringgate::upstream
