#include "engine/gateway/deployment_health.h"

#include "protocol/prometheus_text.h"
#include "providers/json_writer.h"

namespace ringgate::gateway {

std::string_view to_string(ProbeState s) {
  switch (s) {
    case ProbeState::kHealthy:
      return "healthy";
    case ProbeState::kUnhealthy:
      return "unhealthy";
    case ProbeState::kUnknown:
      break;
  }
  return "unknown";
}

void ProbeStatus::record(bool ok, bool healthy, uint32_t consecutive_failures, uint64_t unix_ms,
                         std::string_view error) {
  if (!ok) {
    std::lock_guard lock(error_mu_);
    last_error_.assign(error.substr(0, 200));
  }
  (ok ? probes_ok_ : probe_failures_).fetch_add(1, std::memory_order_relaxed);
  consecutive_failures_.store(consecutive_failures, std::memory_order_relaxed);
  last_probe_unix_ms_.store(unix_ms, std::memory_order_relaxed);
  const ProbeState s = healthy ? ProbeState::kHealthy : ProbeState::kUnhealthy;
  state_.store(uint8_t(s), std::memory_order_relaxed);
}

ProbeStatus::Snapshot ProbeStatus::snapshot() const {
  Snapshot s;
  s.state = state();
  s.last_probe_unix_ms = last_probe_unix_ms_.load(std::memory_order_relaxed);
  s.consecutive_failures = consecutive_failures_.load(std::memory_order_relaxed);
  s.probes_ok = probes_ok_.load(std::memory_order_relaxed);
  s.probe_failures = probe_failures_.load(std::memory_order_relaxed);
  std::lock_guard lock(error_mu_);
  s.last_error = last_error_;
  return s;
}

std::shared_ptr<const DeploymentHealth> DeploymentHealth::build(const config::Runtime& rt,
                                                                const DeploymentHealth* previous) {
  auto health = std::make_shared<DeploymentHealth>();
  for (const config::RuntimeDeployment& d : rt.deployments()) {
    if (!d.def->health.enabled) continue;
    std::shared_ptr<ProbeStatus> s;
    if (previous) {
      auto it = previous->statuses_.find(d.id);
      if (it != previous->statuses_.end()) s = it->second;
    }
    if (!s) s = std::make_shared<ProbeStatus>();
    health->statuses_.emplace(d.id, std::move(s));
  }
  return health;
}

ProbeStatus* DeploymentHealth::status(config::DeploymentId id) const {
  auto it = statuses_.find(id);
  return it == statuses_.end() ? nullptr : it->second.get();
}

void DeploymentHealth::append_json(const config::Runtime& rt, std::string& out) const {
  out.append("\"deployments\":[");
  bool first = true;
  for (const config::RuntimeDeployment& d : rt.deployments()) {
    const ProbeStatus* st = status(d.id);
    if (!st) continue;
    const ProbeStatus::Snapshot s = st->snapshot();
    if (!first) out.push_back(',');
    first = false;
    out.append("{\"name\":\"");
    providers::append_json_escaped(out, d.def->name);
    out.append("\",\"state\":\"");
    out.append(to_string(s.state));
    out.append("\",\"last_probe_unix_ms\":");
    out.append(std::to_string(s.last_probe_unix_ms));
    out.append(",\"consecutive_failures\":");
    out.append(std::to_string(s.consecutive_failures));
    out.append(",\"last_error\":\"");
    providers::append_json_escaped(out, s.last_error);
    out.append("\"}");
  }
  out.push_back(']');
}

void DeploymentHealth::append_metrics(const config::Runtime& rt, std::string& out) const {
  protocol::PrometheusWriter w(out);
  w.family("ringgate_deployment_healthy", protocol::MetricType::kGauge,
           "1 unless health probes found the deployment unhealthy (unknown counts as 1)");
  for (const config::RuntimeDeployment& d : rt.deployments()) {
    if (const ProbeStatus* st = status(d.id)) {
      w.sample("ringgate_deployment_healthy", {{"deployment", d.def->name}},
               st->state() == ProbeState::kUnhealthy ? 0 : 1);
    }
  }
  w.family("ringgate_health_probes_total", protocol::MetricType::kCounter,
           "Health probes sent, by deployment and result");
  for (const config::RuntimeDeployment& d : rt.deployments()) {
    const ProbeStatus* st = status(d.id);
    if (!st) continue;
    const ProbeStatus::Snapshot s = st->snapshot();
    w.sample("ringgate_health_probes_total", {{"deployment", d.def->name}, {"result", "ok"}},
             s.probes_ok);
    w.sample("ringgate_health_probes_total", {{"deployment", d.def->name}, {"result", "failed"}},
             s.probe_failures);
  }
}

}  // namespace ringgate::gateway
