// What the health prober last learnt about each deployment, node-wide: written by the prober's
// thread, read by every shard's routing (one relaxed atomic load, no lock) and shown in /readyz
// and /metrics. Built with each runtime; a deployment whose id a reload leaves unchanged keeps
// its status (and the prober its schedule).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/config/runtime.h"

namespace ringgate::gateway {

enum class ProbeState : uint8_t { kUnknown, kHealthy, kUnhealthy };
std::string_view to_string(ProbeState s);

class ProbeStatus {
 public:
  struct Snapshot {
    ProbeState state = ProbeState::kUnknown;
    uint64_t last_probe_unix_ms = 0;  // 0: never probed
    uint32_t consecutive_failures = 0;
    uint64_t probes_ok = 0, probe_failures = 0;
    std::string last_error;  // of the last failed probe; never holds a key
  };

  ProbeState state() const { return ProbeState(state_.load(std::memory_order_relaxed)); }
  // `healthy` is the schedule's verdict (a single failure does not yet make it unhealthy).
  void record(bool ok, bool healthy, uint32_t consecutive_failures, uint64_t unix_ms,
              std::string_view error);
  Snapshot snapshot() const;

 private:
  std::atomic<uint8_t> state_{uint8_t(ProbeState::kUnknown)};
  std::atomic<uint64_t> last_probe_unix_ms_{0}, probes_ok_{0}, probe_failures_{0};
  std::atomic<uint32_t> consecutive_failures_{0};
  mutable std::mutex error_mu_;  // the text only: /readyz reads it, routing never does
  std::string last_error_;
};

class DeploymentHealth {
 public:
  // A status for every deployment with health probes on.
  static std::shared_ptr<const DeploymentHealth> build(const config::Runtime& rt,
                                                       const DeploymentHealth* previous);
  // null: the deployment is not probed.
  ProbeStatus* status(config::DeploymentId id) const;
  // False only once probes found it unhealthy; unknown (not probed yet, or never) routes.
  bool routable(config::DeploymentId id) const {
    const ProbeStatus* s = status(id);
    return !s || s->state() != ProbeState::kUnhealthy;
  }
  // `"deployments":[...]` for /readyz, in the runtime's order.
  void append_json(const config::Runtime& rt, std::string& out) const;
  // ringgate_deployment_healthy and the probe counters, in the Prometheus text format.
  void append_metrics(const config::Runtime& rt, std::string& out) const;

 private:
  std::unordered_map<config::DeploymentId, std::shared_ptr<ProbeStatus>> statuses_;
};

}  // namespace ringgate::gateway
