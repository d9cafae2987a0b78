// A shard's routing state per deployment and per model: the deployment's circuit breaker, its
// provider key pool and load (outstanding requests, time to first byte), and each model's
// balancer. Shard-local (no locks); keyed by the stable ids of config::Runtime, so a reload that
// leaves a deployment unchanged keeps its state. The node-wide max_concurrent count lives in
// DeploymentSlots (shared by every shard).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "engine/admission/concurrency_limit.h"
#include "engine/config/runtime.h"
#include "engine/upstream/balancer.h"
#include "engine/upstream/circuit_breaker.h"
#include "engine/upstream/key_pool.h"

namespace ringgate::gateway {

upstream::BreakerOptions breaker_options(const config::BreakerSettings& b);

// What other threads (the admin API) may read of one shard's state for a deployment: copied
// from the shard-local state by its shard after each change, relaxed, one writer.
struct DeploymentShown {
  std::atomic<uint8_t> breaker{uint8_t(upstream::BreakerState::kClosed)};
  std::atomic<uint64_t> retry_at_ms{0};  // steady ms (gateway/clock.h) an open breaker may probe
  std::atomic<uint32_t> in_flight{0};
  std::atomic<double> ewma_ttfb_ms{0};
  std::atomic<uint64_t> attempts{0}, failures{0};
  // Open reads as half-open once its cooldown is over, as CircuitBreaker::state() does.
  upstream::BreakerState breaker_at(uint64_t now_ms) const;
};

struct DeploymentState {
  DeploymentState(config::DeploymentId id, size_t keys, const config::BreakerSettings& b)
      : id(id), breaker(breaker_options(b)), keys(keys), breaker_settings(b) {}
  // The shard's thread, after the breaker, the load or the counts changed.
  void publish(uint64_t now_ms);
  const config::DeploymentId id;
  upstream::CircuitBreaker breaker;
  upstream::KeyPool keys;
  upstream::DeploymentLoad load;
  config::BreakerSettings breaker_settings;  // what `breaker` was built from
  // What requests here did on this shard (not exported to /metrics yet).
  uint64_t attempts = 0, failures = 0, skipped_open = 0;
  DeploymentShown shown;
};

class DeploymentTable {
 public:
  // Made on first use; a reload that changed the deployment's keys gets a new key pool, one that
  // changed its breaker settings a new (closed) breaker.
  DeploymentState& state(const config::RuntimeDeployment& d);
  upstream::Balancer& balancer(config::ModelId model) { return balancers_[model]; }
  // Any thread: f(const DeploymentState&) for each state made so far (states live as long as
  // the table); only their `id` and `shown` may be read off the shard.
  template <class F>
  void for_each_shown(F&& f) const {
    const size_t n = shown_count_.load(std::memory_order_acquire);
    for (size_t i = 0; i < n; ++i) f(*shown_[i].load(std::memory_order_relaxed));
  }

 private:
  static constexpr size_t kMaxShown = 1024;  // deployments past it are not shown
  std::array<std::atomic<const DeploymentState*>, kMaxShown> shown_{};
  std::atomic<size_t> shown_count_{0};
  std::unordered_map<config::DeploymentId, std::unique_ptr<DeploymentState>> states_;
  std::unordered_map<config::ModelId, upstream::Balancer> balancers_;
};

// Every deployment's in-flight count against its max_concurrent, node-wide. Built with each
// runtime; a deployment whose id and bound a reload leaves unchanged keeps its counter (the
// requests in flight on it still count).
class DeploymentSlots {
 public:
  static std::shared_ptr<const DeploymentSlots> build(const config::Runtime& rt,
                                                      const DeploymentSlots* previous);
  // null: the deployment has no bound.
  admission::ConcurrencyLimit* limit(config::DeploymentId id) const;

 private:
  std::unordered_map<config::DeploymentId, std::shared_ptr<admission::ConcurrencyLimit>> limits_;
};

upstream::Strategy strategy_of(config::BalanceStrategy s);

}  // namespace ringgate::gateway
