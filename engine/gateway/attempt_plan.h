// The ordered list of deployments one request may try: the model's own, in its balancer's order,
// then each fallback model's (config::RuntimeModel::fallbacks), each deployment once. Deployments
// that cannot take the request now are left out: breaker open (or its one probe already out),
// marked unhealthy, or at their node-wide max_concurrent.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/config/runtime.h"
#include "engine/gateway/deployment_state.h"

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

  // Scratch for the balancer, kept between requests.
  std::vector<uint32_t> weights, order;
  std::vector<upstream::DeploymentLoad> loads;
  std::unique_ptr<bool[]> usable;
  size_t usable_size = 0;
};

// A chain with a single deployment in it keeps it whatever its breaker says: there is nowhere
// else to send the request, and the upstream's own answer tells the client more than a 503.
void plan_attempts(const config::RuntimeModel& model, DeploymentTable& table,
                   const DeploymentSlots* slots, uint64_t now_ms, AttemptPlan& plan);

}  // namespace ringgate::gateway
