// The candidates a request may try: balancer order, fallbacks after the model's own deployments,
// open breakers and full deployments left out, a sole deployment kept; and the node-wide
// max_concurrent counts shared by threads (shards).
#include "engine/gateway/attempt_plan.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "engine/config/runtime.h"
#include "engine/gateway/deployment_health.h"
#include "engine/gateway/deployment_state.h"

namespace ringgate::gateway {
namespace {

constexpr std::string_view kRegistry = R"(
[auth]
mode = "none"

[[upstreams]]
name = "a"
url = "http://127.0.0.1:9001/v1"

[[upstreams]]
name = "b"
url = "http://127.0.0.1:9002/v1"
format = "anthropic"

[[deployments]]
name = "heavy"
upstream = "a"
model = "x"
weight = 1000

[[deployments]]
name = "light"
upstream = "a"
model = "x"
max_concurrent = 2

[[deployments]]
name = "claude"
upstream = "b"
model = "c"
breaker = { consecutive_failures = 2, cooldown_ms = 700 }

[[models]]
name = "m"
deployments = ["heavy", "light"]
fallbacks = ["f"]

[[models]]
name = "f"
deployments = ["claude", "light"]

[[models]]
name = "solo"
upstream = "a"
)";

std::shared_ptr<config::Runtime> runtime() {
  config::ConfigError err;
  auto c = config::load_config_string(kRegistry, "t.toml", err);
  EXPECT_TRUE(c) << err.message;
  std::string e;
  auto rt = config::Runtime::build(*c, e);
  EXPECT_TRUE(rt) << e;
  return rt;
}

std::vector<std::string> names(const AttemptPlan& p) {
  std::vector<std::string> out;
  for (const Candidate& c : p.candidates) out.push_back(c.deployment->def->name);
  return out;
}

TEST(AttemptPlan, ModelsOwnDeploymentsThenFallbacksEachOnce) {
  auto rt = runtime();
  DeploymentTable table;
  AttemptPlan plan;
  plan_attempts(*rt->find_model("m"), table, {}, 1000, plan);
  EXPECT_EQ(names(plan), (std::vector<std::string>{"heavy", "light", "claude"}));
  EXPECT_EQ(plan.candidates[2].model->def->name, "f");  // served as the fallback model
  EXPECT_EQ(plan.left_out, 0u);
}

TEST(AttemptPlan, OpenBreakerIsLeftOutWithItsRetryTime) {
  auto rt = runtime();
  DeploymentTable table;
  const config::RuntimeDeployment& heavy = *rt->find_model("m")->deployments[0];
  upstream::CircuitBreaker& b = table.state(heavy).breaker;
  for (int i = 0; i < 5; ++i) b.record(b.admit(1000), false, 1000);
  AttemptPlan plan;
  plan_attempts(*rt->find_model("m"), table, {}, 1001, plan);
  EXPECT_EQ(names(plan), (std::vector<std::string>{"light", "claude"}));
  EXPECT_EQ(plan.left_out, 1u);
  EXPECT_EQ(plan.soonest_retry_ms, b.retry_at_ms());
  // After the cooldown the one probe may go: the deployment is back in the plan.
  plan_attempts(*rt->find_model("m"), table, {}, b.retry_at_ms(), plan);
  EXPECT_EQ(names(plan).front(), "heavy");
}

TEST(AttemptPlan, FullDeploymentIsLeftOut) {
  auto rt = runtime();
  auto slots = DeploymentSlots::build(*rt, nullptr);
  const config::RuntimeDeployment& light = *rt->find_model("m")->deployments[1];
  admission::ConcurrencyLimit* limit = slots->limit(light.id);
  ASSERT_NE(limit, nullptr);
  EXPECT_EQ(slots->limit(rt->find_model("m")->deployments[0]->id), nullptr);  // no bound
  ASSERT_TRUE(limit->try_enter());
  ASSERT_TRUE(limit->try_enter());
  DeploymentTable table;
  AttemptPlan plan;
  plan_attempts(*rt->find_model("m"), table, {slots.get(), nullptr}, 1000, plan);
  EXPECT_EQ(names(plan), (std::vector<std::string>{"heavy", "claude"}));
  // "light" serves "m" and its fallback "f": counted once per model it was left out of.
  EXPECT_EQ(plan.left_out, 2u);
  EXPECT_EQ(plan.full, 2u);  // what makes a request wait for a slot
  limit->leave();
  plan_attempts(*rt->find_model("m"), table, {slots.get(), nullptr}, 1000, plan);
  EXPECT_EQ(names(plan), (std::vector<std::string>{"heavy", "light", "claude"}));
  EXPECT_EQ(plan.full, 0u);
}

// Nothing left, one of the reasons a full deployment: the request may wait for its slot.
TEST(AttemptPlan, NothingLeftWithAFullDeploymentCountsIt) {
  auto rt = runtime();
  auto slots = DeploymentSlots::build(*rt, nullptr);
  const config::RuntimeDeployment& light = *rt->find_model("m")->deployments[1];
  admission::ConcurrencyLimit* limit = slots->limit(light.id);
  ASSERT_NE(limit, nullptr);
  ASSERT_TRUE(limit->try_enter());
  ASSERT_TRUE(limit->try_enter());
  DeploymentTable table;
  upstream::CircuitBreaker& heavy = table.state(*rt->find_model("m")->deployments[0]).breaker;
  for (int i = 0; i < 5; ++i) heavy.record(heavy.admit(1000), false, 1000);
  upstream::CircuitBreaker& claude = table.state(*rt->find_model("f")->deployments[0]).breaker;
  for (int i = 0; i < 2; ++i) claude.record(claude.admit(1000), false, 1000);
  AttemptPlan plan;
  plan_attempts(*rt->find_model("m"), table, {slots.get(), nullptr}, 1001, plan);
  EXPECT_TRUE(plan.candidates.empty());
  EXPECT_EQ(plan.left_out, 4u);  // heavy, light, claude, light again (under "f")
  EXPECT_EQ(plan.full, 2u);
}

TEST(DeploymentTable, BreakerUsesTheDeploymentsSettings) {
  auto rt = runtime();
  DeploymentTable table;
  const config::RuntimeDeployment& claude = *rt->find_model("f")->deployments[0];
  upstream::CircuitBreaker& b = table.state(claude).breaker;
  b.record(b.admit(1000), false, 1000);
  EXPECT_EQ(b.state(1000), upstream::BreakerState::kClosed);
  b.record(b.admit(1000), false, 1000);  // consecutive_failures = 2
  EXPECT_EQ(b.state(1000), upstream::BreakerState::kOpen);
  EXPECT_EQ(b.retry_at_ms(), 1700u);  // cooldown_ms = 700
  // The default (5 in a row) for a deployment without a breaker table.
  upstream::CircuitBreaker& heavy = table.state(*rt->find_model("m")->deployments[0]).breaker;
  for (int i = 0; i < 4; ++i) heavy.record(heavy.admit(1000), false, 1000);
  EXPECT_EQ(heavy.state(1000), upstream::BreakerState::kClosed);
}

TEST(AttemptPlan, SoleDeploymentStaysWhateverItsBreakerSays) {
  auto rt = runtime();
  DeploymentTable table;
  const config::RuntimeModel& solo = *rt->find_model("solo");
  upstream::CircuitBreaker& b = table.state(*solo.deployments[0]).breaker;
  for (int i = 0; i < 5; ++i) b.record(b.admit(1000), false, 1000);
  AttemptPlan plan;
  plan_attempts(solo, table, {}, 1001, plan);
  EXPECT_EQ(names(plan), std::vector<std::string>{"solo"});
}

// What the health prober writes after two failed probes in a row.
void mark_unhealthy(const DeploymentHealth& h, const config::RuntimeDeployment& d) {
  h.status(d.id)->record(false, false, 2, 1, "status 503");
}

TEST(AttemptPlan, UnhealthyDeploymentIsLeftOut) {
  auto rt = runtime();
  auto health = DeploymentHealth::build(*rt, nullptr);
  DeploymentTable table;
  mark_unhealthy(*health, *rt->find_model("f")->deployments[0]);
  AttemptPlan plan;
  plan_attempts(*rt->find_model("f"), table, {nullptr, health.get()}, 1000, plan);
  EXPECT_EQ(names(plan), std::vector<std::string>{"light"});
  EXPECT_EQ(plan.left_out, 1u);
}

// Every candidate unhealthy: they are tried anyway, in chain order, rather than failing closed.
TEST(AttemptPlan, EveryDeploymentUnhealthyFailsOpen) {
  auto rt = runtime();
  auto health = DeploymentHealth::build(*rt, nullptr);
  for (const config::RuntimeDeployment& d : rt->deployments()) {
    if (health->status(d.id)) mark_unhealthy(*health, d);
  }
  DeploymentTable table;
  AttemptPlan plan;
  plan_attempts(*rt->find_model("m"), table, {nullptr, health.get()}, 1000, plan);
  EXPECT_EQ(names(plan), (std::vector<std::string>{"heavy", "light", "claude"}));
  EXPECT_EQ(plan.left_out, 0u);
  // One healthy deployment left: only it is tried.
  auto fresh = DeploymentHealth::build(*rt, nullptr);
  for (const config::RuntimeDeployment* d : rt->find_model("m")->deployments)
    mark_unhealthy(*fresh, *d);
  plan_attempts(*rt->find_model("m"), table, {nullptr, fresh.get()}, 1000, plan);
  EXPECT_EQ(names(plan), std::vector<std::string>{"claude"});
}

TEST(DeploymentSlots, AReloadKeepsTheCounterOfAnUnchangedDeployment) {
  auto rt = runtime();
  auto first = DeploymentSlots::build(*rt, nullptr);
  auto again = DeploymentSlots::build(*runtime(), first.get());
  const config::DeploymentId id = rt->find_model("m")->deployments[1]->id;
  EXPECT_EQ(first->limit(id), again->limit(id));
}

// Shards enter and leave one deployment's slots at once: never more in flight than the bound.
TEST(DeploymentSlots, ThreadsNeverExceedTheBound) {
  auto rt = runtime();
  auto slots = DeploymentSlots::build(*rt, nullptr);
  admission::ConcurrencyLimit* limit = slots->limit(rt->find_model("m")->deployments[1]->id);
  std::atomic<int> inside{0}, most{0}, entered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        if (!limit->try_enter()) continue;
        entered.fetch_add(1);
        int now = inside.fetch_add(1) + 1;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        inside.fetch_sub(1);
        limit->leave();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(most.load(), 2);
  EXPECT_GT(entered.load(), 0);
  EXPECT_EQ(limit->in_flight(), 0u);
}

}  // namespace
}  // namespace ringgate::gateway

namespace ringgate::gateway {
namespace {

// A managed deployment routes only once its server is ready; until then the fallbacks serve
// (while_starting = "fallback") and a model with it alone has no candidate (it waited first).
TEST(AttemptPlan, ManagedDeploymentRoutesOnlyWhenReady) {
  config::ConfigError err;
  auto c = config::load_config_string(R"(
[auth]
mode = "none"

[[upstreams]]
name = "cloud"
url = "http://127.0.0.1:9001/v1"

[[deployments]]
name = "local"
model = "x"
managed = { command = ["srv"], port = 18600 }

[[models]]
name = "m"
deployments = ["local"]
fallbacks = ["cloud-m"]

[[models]]
name = "alone"
deployments = ["local"]

[[models]]
name = "cloud-m"
upstream = "cloud"
)",
                                      "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  std::string e;
  auto rt = config::Runtime::build(*c, e);
  ASSERT_TRUE(rt) << e;
  auto fleet = managed::ManagedFleet::build(*rt, nullptr);
  managed::ManagedProcess* local = fleet->process(rt->find_model("m")->deployments[0]->id);
  ASSERT_NE(local, nullptr);
  const NodeDeployments node{nullptr, nullptr, fleet.get()};
  DeploymentTable table;
  AttemptPlan plan;
  for (managed::ManagedState s :
       {managed::ManagedState::kStopped, managed::ManagedState::kStarting,
        managed::ManagedState::kStopping, managed::ManagedState::kFailed}) {
    local->set_state(s);
    plan_attempts(*rt->find_model("m"), table, node, 1000, plan);
    EXPECT_EQ(names(plan), (std::vector<std::string>{"cloud-m"})) << managed::to_string(s);
    plan_attempts(*rt->find_model("alone"), table, node, 1000, plan);
    EXPECT_TRUE(plan.candidates.empty()) << managed::to_string(s);
    EXPECT_EQ(plan.left_out, 1u);
  }
  local->set_state(managed::ManagedState::kReady);
  plan_attempts(*rt->find_model("m"), table, node, 1000, plan);
  EXPECT_EQ(names(plan), (std::vector<std::string>{"local", "cloud-m"}));
  plan_attempts(*rt->find_model("alone"), table, node, 1000, plan);
  EXPECT_EQ(names(plan), (std::vector<std::string>{"local"}));
  // A reload with the same managed settings keeps the process (and its child).
  EXPECT_EQ(managed::ManagedFleet::build(*rt, fleet.get())
                ->process(rt->find_model("m")->deployments[0]->id),
            local);
}

}  // namespace
}  // namespace ringgate::gateway
