// What a shard shows of its deployment states to other threads (the admin API): the breaker as
// CircuitBreaker reports it (open turning half-open at its cooldown), load and counts, and a
// reader walking the table while the shard adds states and publishes (TSan list).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "engine/gateway/deployment_state.h"

namespace ringgate::gateway {
namespace {

config::RuntimeDeployment deployment(const config::Deployment& def, config::DeploymentId id) {
  config::RuntimeDeployment d;
  d.id = id;
  d.def = &def;
  return d;
}

TEST(DeploymentShown, FollowsTheBreakerTheLoadAndTheCounts) {
  config::Deployment def;
  def.breaker.consecutive_failures = 1;
  def.breaker.cooldown_ms = 1000;
  DeploymentTable table;
  DeploymentState& st = table.state(deployment(def, 7));
  EXPECT_EQ(st.id, 7u);
  const uint64_t now = 10'000;
  upstream::Permit p = st.breaker.admit(now);
  st.load.on_start();
  st.load.on_ttfb(12.5);
  ++st.attempts;
  ++st.failures;
  st.breaker.record(p, false, now);
  st.publish(now);
  EXPECT_EQ(st.shown.breaker_at(now), upstream::BreakerState::kOpen);
  EXPECT_EQ(st.shown.breaker_at(now + 999), upstream::BreakerState::kOpen);
  EXPECT_EQ(st.shown.breaker_at(now + 1000), upstream::BreakerState::kHalfOpen);
  EXPECT_EQ(st.shown.in_flight.load(), 1u);
  EXPECT_EQ(st.shown.ewma_ttfb_ms.load(), 12.5);
  EXPECT_EQ(st.shown.attempts.load(), 1u);
  EXPECT_EQ(st.shown.failures.load(), 1u);
  std::vector<config::DeploymentId> seen;
  table.for_each_shown([&](const DeploymentState& s) { seen.push_back(s.id); });
  EXPECT_EQ(seen, std::vector<config::DeploymentId>{7});
  table.state(deployment(def, 7));  // the same state again: listed once
  seen.clear();
  table.for_each_shown([&](const DeploymentState& s) { seen.push_back(s.id); });
  EXPECT_EQ(seen.size(), 1u);
}

// seed-defect: 001-3 (other threads read shard-local routing state only through atomics)
TEST(DeploymentShown, AReaderRacesTheShardSafely) {
  config::Deployment def;
  DeploymentTable table;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    uint64_t sum = 0;
    while (!done.load()) {
      table.for_each_shown([&](const DeploymentState& s) {
        sum += s.shown.attempts.load(std::memory_order_relaxed) + uint64_t(s.shown.breaker_at(0));
      });
    }
    EXPECT_GE(sum, 0u);
  });
  for (uint64_t i = 0; i < 20000; ++i) {
    DeploymentState& st = table.state(deployment(def, i % 300));
    ++st.attempts;
    st.publish(i);
  }
  done = true;
  reader.join();
  size_t n = 0;
  table.for_each_shown([&](const DeploymentState&) { ++n; });
  EXPECT_EQ(n, 300u);
}

}  // namespace
}  // namespace ringgate::gateway
