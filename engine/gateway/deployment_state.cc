#include "engine/gateway/deployment_state.h"

namespace ringgate::gateway {

upstream::BreakerOptions breaker_options(const config::BreakerSettings& b) {
  upstream::BreakerOptions o;
  o.consecutive_failures = b.consecutive_failures;
  o.window_ms = b.window_ms;
  o.min_window_requests = b.min_requests;
  o.error_rate = b.error_rate;
  o.cooldown_ms = b.cooldown_ms;
  o.max_cooldown_ms = b.max_cooldown_ms;
  return o;
}

DeploymentState& DeploymentTable::state(const config::RuntimeDeployment& d) {
  std::unique_ptr<DeploymentState>& s = states_[d.id];
  if (!s) {
    s = std::make_unique<DeploymentState>(d.id, d.keys.size(), d.def->breaker);
    const size_t n = shown_count_.load(std::memory_order_relaxed);
    if (n < kMaxShown) {
      shown_[n].store(s.get(), std::memory_order_relaxed);
      shown_count_.store(n + 1, std::memory_order_release);
    }
    return *s;
  }
  if (s->keys.size() != d.keys.size()) {
    s->keys = upstream::KeyPool(d.keys.size());  // indexes name other keys now
  }
  if (s->breaker_settings != d.def->breaker) {
    s->breaker = upstream::CircuitBreaker(breaker_options(d.def->breaker));
    s->breaker_settings = d.def->breaker;
  }
  return *s;
}

upstream::BreakerState DeploymentShown::breaker_at(uint64_t now_ms) const {
  const auto b = upstream::BreakerState(breaker.load(std::memory_order_relaxed));
  if (b == upstream::BreakerState::kOpen && now_ms >= retry_at_ms.load(std::memory_order_relaxed))
    return upstream::BreakerState::kHalfOpen;
  return b;
}

void DeploymentState::publish(uint64_t now_ms) {
  shown.breaker.store(uint8_t(breaker.state(now_ms)), std::memory_order_relaxed);
  shown.retry_at_ms.store(breaker.retry_at_ms(), std::memory_order_relaxed);
  shown.in_flight.store(load.outstanding, std::memory_order_relaxed);
  shown.ewma_ttfb_ms.store(load.ewma_ttfb_ms, std::memory_order_relaxed);
  shown.attempts.store(attempts, std::memory_order_relaxed);
  shown.failures.store(failures, std::memory_order_relaxed);
}

std::shared_ptr<const DeploymentSlots> DeploymentSlots::build(const config::Runtime& rt,
                                                              const DeploymentSlots* previous) {
  auto slots = std::make_shared<DeploymentSlots>();
  for (const config::RuntimeDeployment& d : rt.deployments()) {
    const uint32_t cap = d.def->max_concurrent;
    if (cap == 0) continue;
    std::shared_ptr<admission::ConcurrencyLimit> limit;
    if (previous) {
      auto it = previous->limits_.find(d.id);
      if (it != previous->limits_.end() && it->second->cap() == cap) limit = it->second;
    }
    if (!limit) limit = std::make_shared<admission::ConcurrencyLimit>(cap);
    slots->limits_.emplace(d.id, std::move(limit));
  }
  return slots;
}

admission::ConcurrencyLimit* DeploymentSlots::limit(config::DeploymentId id) const {
  auto it = limits_.find(id);
  return it == limits_.end() ? nullptr : it->second.get();
}

upstream::Strategy strategy_of(config::BalanceStrategy s) {
  switch (s) {
    case config::BalanceStrategy::kLeastOutstanding:
      return upstream::Strategy::kLeastOutstanding;
    case config::BalanceStrategy::kLatency:
      return upstream::Strategy::kLatency;
    case config::BalanceStrategy::kWeighted:
      break;
  }
  return upstream::Strategy::kWeighted;
}

}  // namespace ringgate::gateway
