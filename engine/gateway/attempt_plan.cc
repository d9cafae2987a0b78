#include "engine/gateway/attempt_plan.h"

#include <algorithm>

namespace ringgate::gateway {

namespace {

// A managed deployment whose server is not ready (stopped, starting, stopping, failed).
bool not_started(const config::RuntimeDeployment& d, const NodeDeployments& node) {
  const managed::ManagedProcess* p = node.managed ? node.managed->process(d.id) : nullptr;
  return p && p->state() != managed::ManagedState::kReady;
}

bool listed(const AttemptPlan& plan, const config::RuntimeDeployment* d) {
  for (const Candidate& c : plan.candidates) {
    if (c.deployment == d) return true;
  }
  return false;
}

// Whether d may take a request now; notes why not in the plan.
bool can_take(const config::RuntimeDeployment& d, DeploymentState& st, const NodeDeployments& node,
              uint64_t now_ms, AttemptPlan& plan) {
  const upstream::BreakerState b = st.breaker.state(now_ms);
  const bool open = b == upstream::BreakerState::kOpen ||
                    (b == upstream::BreakerState::kHalfOpen && st.breaker.probe_out());
  const admission::ConcurrencyLimit* limit = node.slots ? node.slots->limit(d.id) : nullptr;
  const bool full = limit && limit->in_flight() >= limit->cap();
  const bool healthy = !node.health || node.health->routable(d.id);
  if (not_started(d, node)) {
    ++plan.left_out;
    return false;
  }
  if (!open && !full && healthy) return true;
  ++plan.left_out;
  if (full) ++plan.full;
  if (!open && !full) plan.unhealthy.push_back(&d);
  if (open) {
    ++st.skipped_open;
    const uint64_t at = std::max(st.breaker.retry_at_ms(), now_ms + 1);
    if (plan.soonest_retry_ms == 0 || at < plan.soonest_retry_ms) plan.soonest_retry_ms = at;
  }
  return false;
}

void add_model(const config::RuntimeModel& m, DeploymentTable& table, const NodeDeployments& node,
               uint64_t now_ms, AttemptPlan& plan) {
  const size_t n = m.deployments.size();
  plan.weights.clear();
  plan.loads.clear();
  if (plan.usable_size < n) {
    plan.usable = std::make_unique<bool[]>(n);
    plan.usable_size = n;
  }
  for (size_t i = 0; i < n; ++i) {
    const config::RuntimeDeployment& d = *m.deployments[i];
    DeploymentState& st = table.state(d);
    plan.weights.push_back(d.def->weight);
    plan.loads.push_back(st.load);
    plan.usable[i] = !listed(plan, &d) && can_take(d, st, node, now_ms, plan);
  }
  table.balancer(m.id).order(strategy_of(m.def->strategy), plan.weights, plan.loads,
                             std::span<const bool>(plan.usable.get(), n), plan.order);
  for (uint32_t i : plan.order) plan.candidates.push_back({m.deployments[i], &m});
}

}  // namespace

// Every deployment left out only for failing its health probes: tried after all, in the chain's
// order, when nothing else can take the request (probes may be wrong; failing closed would turn
// a probe outage into a full outage).
void fail_open(const config::RuntimeModel& model, AttemptPlan& plan) {
  if (!plan.candidates.empty()) return;
  auto add_from = [&plan](const config::RuntimeModel& m) {
    for (const config::RuntimeDeployment* d : m.deployments) {
      // Counted once per model it was left out of.
      const size_t times = std::count(plan.unhealthy.begin(), plan.unhealthy.end(), d);
      if (times == 0 || listed(plan, d)) continue;
      plan.candidates.push_back({d, &m});
      plan.left_out -= times;
    }
  };
  add_from(model);
  for (const config::RuntimeModel* f : model.fallbacks) add_from(*f);
}

void plan_attempts(const config::RuntimeModel& model, DeploymentTable& table,
                   const NodeDeployments& node, uint64_t now_ms, AttemptPlan& plan) {
  plan.candidates.clear();
  plan.unhealthy.clear();
  plan.soonest_retry_ms = 0;
  plan.left_out = 0;
  plan.full = 0;
  if (model.fallbacks.empty() && model.deployments.size() == 1) {
    const config::RuntimeDeployment* d = model.deployments[0];
    const admission::ConcurrencyLimit* limit = node.slots ? node.slots->limit(d->id) : nullptr;
    if (not_started(*d, node)) {
      ++plan.left_out;
    } else if (limit && limit->in_flight() >= limit->cap()) {
      ++plan.left_out;
      ++plan.full;
    } else {
      plan.candidates.push_back({d, &model});
    }
    return;
  }
  add_model(model, table, node, now_ms, plan);
  for (const config::RuntimeModel* f : model.fallbacks) add_model(*f, table, node, now_ms, plan);
  fail_open(model, plan);
}

}  // namespace ringgate::gateway
