// The ordered list of deployments one request may try: the model's own, in its balancer's order,
// then each fallback model's (config::RuntimeModel::fallbacks), each deployment once. Deployments
// that cannot take the request now are left out: breaker open (or its one probe already out),
// found unhealthy by health probes, or at their node-wide max_concurrent.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/config/runtime.h"
#include "engine/gateway/deployment_health.h"
#include "engine/gateway/deployment_state.h"
#include "engine/managed/managed_process.h"

namespace ringgate::gateway {

struct Candidate {
  const config::RuntimeDeployment* deployment = nullptr;
  const config::RuntimeModel* model = nullptr;  // the requested model or the fallback it serves
};

struct AttemptPlan {
  std::vector<Candidate> candidates;
  // Of the deployments left out for an open breaker: the soonest its probe may go (0: none).
  uint64_t soonest_retry_ms = 0;
  size_t left_out = 0;
  // Of them, left out for being at their node-wide max_concurrent (a slot may free soon).
  size_t full = 0;
  // Left out only for failing health probes; tried when nothing else can be (see fail_open).
  std::vector<const config::RuntimeDeployment*> unhealthy;

  // Scratch for the balancer, kept between requests.
  std::vector<uint32_t> weights, order;
  std::vector<upstream::DeploymentLoad> loads;
  std::unique_ptr<bool[]> usable;
  size_t usable_size = 0;
};

// The node-wide state routing reads (any may be null): in-flight counts, probe results and the
// managed deployments' processes (one not ready is left out; managed_wait.cc waits for it).
struct NodeDeployments {
  const DeploymentSlots* slots = nullptr;
  const DeploymentHealth* health = nullptr;
  const managed::ManagedFleet* managed = nullptr;
};

// A chain with a single deployment in it keeps it whatever its breaker or probes say: there is
// nowhere else to send the request, and the upstream's own answer tells the client more than a
// 503. When every deployment left out was left out only as unhealthy, they are tried anyway.
void plan_attempts(const config::RuntimeModel& model, DeploymentTable& table,
                   const NodeDeployments& node, uint64_t now_ms, AttemptPlan& plan);

}  // namespace ringgate::gateway
