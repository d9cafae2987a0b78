// Balancer: the order in which to try one model's deployments, by the model's strategy. One per
// model per shard; DeploymentLoad is the shard's view of each deployment (outstanding requests,
// EWMA of time to first byte). Deterministic: no clock, no randomness.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace ringgate::upstream {

enum class Strategy : uint8_t { kWeighted, kLeastOutstanding, kLatency };

// "weighted", "least_outstanding", "latency"; anything else is nullopt (exact, case-sensitive).
std::optional<Strategy> parse_strategy(std::string_view s);

struct DeploymentLoad {
  static constexpr double kAlpha = 0.3;
  uint32_t outstanding = 0;
  double ewma_ttfb_ms = 0;
  uint32_t samples = 0;
  void on_start() { ++outstanding; }
  void on_finish() { outstanding -= outstanding > 0; }
  void on_ttfb(double ms);  // the first sample sets the average
};

class Balancer {
 public:
  // Deployments with fewer samples than this go first under kLatency, so new ones get measured.
  static constexpr uint32_t kMinLatencySamples = 3;

  // Writes the usable deployments' indexes into out (cleared first): the pick, then the rest in
  // the same strategy's order. The three spans are indexed alike.
  void order(Strategy s, std::span<const uint32_t> weights, std::span<const DeploymentLoad> loads,
             std::span<const bool> usable, std::vector<uint32_t>& out);

 private:
  void order_weighted(std::span<const uint32_t> weights, std::vector<uint32_t>& out);
  // Position of i in this call's rotation, so ties take turns.
  uint32_t rotation(uint32_t i, size_t n) const;

  std::vector<int64_t> current_;  // smooth weighted round robin's running weights
  uint64_t turn_ = 0;             // advances once per order() for the tie rotation
};

}  // namespace ringgate::upstream
