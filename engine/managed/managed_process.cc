#include "engine/managed/managed_process.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <ctime>

#include "protocol/prometheus_text.h"
#include "providers/json_writer.h"

namespace ringgate::managed {

int supervisor_wake_fd() {
  static const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  return fd;
}

void wake_supervisor() {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = write(supervisor_wake_fd(), &one, sizeof one);
}

std::string_view to_string(ManagedState s) {
  switch (s) {
    case ManagedState::kStarting:
      return "starting";
    case ManagedState::kReady:
      return "ready";
    case ManagedState::kStopping:
      return "stopping";
    case ManagedState::kFailed:
      return "failed";
    case ManagedState::kStopped:
      break;
  }
  return "stopped";
}

std::shared_ptr<const ManagedFleet> ManagedFleet::build(const config::Runtime& rt,
                                                        const ManagedFleet* previous) {
  auto fleet = std::make_shared<ManagedFleet>();
  for (const config::RuntimeDeployment& d : rt.deployments()) {
    if (!d.def->managed.enabled) continue;
    std::shared_ptr<ManagedProcess> kept;
    if (previous) {
      auto it = previous->processes_.find(d.id);
      if (it != previous->processes_.end() && it->second->def() == d.def->managed)
        kept = it->second;
    }
    fleet->processes_.emplace(d.id, kept ? kept : std::make_shared<ManagedProcess>(d.def->managed));
  }
  return fleet;
}

ManagedProcess* ManagedFleet::process(config::DeploymentId id) const {
  auto it = processes_.find(id);
  return it == processes_.end() ? nullptr : it->second.get();
}

namespace {

uint64_t unix_ms_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
}

}  // namespace

void ManagedFleet::append_json(const config::Runtime& rt, std::string& out) const {
  out.append("\"managed\":[");
  bool first = true;
  const uint64_t now = unix_ms_now();
  for (const config::RuntimeDeployment& d : rt.deployments()) {
    const ManagedProcess* p = process(d.id);
    if (!p) continue;
    if (!first) out.push_back(',');
    first = false;
    const uint64_t since = p->ready_since_unix_ms.load(std::memory_order_relaxed);
    out.append("{\"name\":\"");
    providers::append_json_escaped(out, d.def->name);
    out.append("\",\"state\":\"");
    out.append(to_string(p->state()));
    out.append("\",\"pid\":" + std::to_string(p->pid.load(std::memory_order_relaxed)));
    out.append(",\"port\":" + std::to_string(p->def().port));
    out.append(",\"uptime_ms\":" + std::to_string(since && now > since ? now - since : 0));
    out.append(",\"requests\":" + std::to_string(p->requests()));
    out.append(",\"queued\":" + std::to_string(p->queued()));
    out.append(",\"starts\":" + std::to_string(p->starts.load(std::memory_order_relaxed)));
    out.append(",\"start_failures\":" +
               std::to_string(p->start_failures.load(std::memory_order_relaxed)));
    out.append("}");
  }
  out.push_back(']');
}

void ManagedFleet::append_metrics(const config::Runtime& rt, std::string& out) const {
  protocol::PrometheusWriter w(out);
  static constexpr ManagedState kStates[] = {ManagedState::kStopped, ManagedState::kStarting,
                                             ManagedState::kReady, ManagedState::kStopping,
                                             ManagedState::kFailed};
  w.family("ringgate_managed_state", protocol::MetricType::kGauge,
           "1 for the state each managed deployment is in");
  for (const config::RuntimeDeployment& d : rt.deployments()) {
    const ManagedProcess* p = process(d.id);
    if (!p) continue;
    for (ManagedState s : kStates) {
      w.sample("ringgate_managed_state", {{"deployment", d.def->name}, {"state", to_string(s)}},
               p->state() == s ? 1 : 0);
    }
  }
  struct Counter {
    const char* name;
    const char* help;
    uint64_t (*read)(const ManagedProcess&);
  };
  static constexpr Counter kCounters[] = {
      {"ringgate_managed_starts_total", "Processes started",
       [](const ManagedProcess& p) { return p.starts.load(std::memory_order_relaxed); }},
      {"ringgate_managed_start_failures_total", "Starts that failed or timed out",
       [](const ManagedProcess& p) { return p.start_failures.load(std::memory_order_relaxed); }},
      {"ringgate_managed_health_probes_total", "Health probes sent while starting",
       [](const ManagedProcess& p) { return p.health_probes.load(std::memory_order_relaxed); }},
      {"ringgate_managed_requests_total", "Requests routed to the managed deployment",
       [](const ManagedProcess& p) { return p.requests(); }},
  };
  for (const Counter& c : kCounters) {
    w.family(c.name, protocol::MetricType::kCounter, c.help);
    for (const config::RuntimeDeployment& d : rt.deployments()) {
      if (const ManagedProcess* p = process(d.id)) {
        w.sample(c.name, {{"deployment", d.def->name}}, c.read(*p));
      }
    }
  }
}

}  // namespace ringgate::managed
