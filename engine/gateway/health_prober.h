// Active health probes, off the request shards: one thread of its own with nonblocking sockets
// and poll(), probing every deployment concurrently (seed-defect 001-5: a stalled one holds up no
// other), each on its ProbeSchedule (start-up grace and backoff: 004-P8). A probe is a GET of the
// upstream format's model list or the deployment's health.path, never a completion, with the
// deployment's first key; a 2xx is a pass. Results go to the runtime's DeploymentHealth.
// An https deployment is probed over TLS: SNI and certificate checks as on the request path
// (the upstream's ca_file and tls_verify, through io::TlsContext and io::TlsClientSession).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/config/runtime.h"
#include "engine/gateway/deployment_health.h"
#include "engine/io/dns_resolver.h"
#include "engine/io/tls_context.h"
#include "engine/upstream/probe_schedule.h"
#include "protocol/http_response_parser.h"

namespace ringgate::gateway {

class HealthProber {
 public:
  explicit HealthProber(io::DnsResolver& resolver);
  ~HealthProber();

  bool start(std::string& err);
  // The runtime to probe from now on: unchanged deployments keep their schedules, removed ones
  // are dropped (an in-flight probe of theirs is closed). Any thread.
  void update(std::shared_ptr<const config::Runtime> rt);
  void stop();

 private:
  struct Probe;  // one deployment's schedule and its probe in flight, if any
  void run();
  void adopt(std::shared_ptr<const config::Runtime> rt, uint64_t now);
  void begin(Probe& p, uint64_t now);
  void advance(Probe& p, short revents, uint64_t now);
  void advance_tls(Probe& p, uint64_t now);
  void take_response(Probe& p, std::string_view bytes, uint64_t now);
  std::shared_ptr<io::TlsContext> tls_context(const config::Upstream& up, std::string& err);
  void finish(Probe& p, bool ok, std::string_view error, uint64_t now);
  int poll_timeout_ms(uint64_t now) const;

  io::DnsResolver& resolver_;
  int wake_fd_ = -1;
  std::thread thread_;
  std::mutex mu_;  // guards pending_ and stopping_
  std::shared_ptr<const config::Runtime> pending_;
  bool stopping_ = false;
  // The prober thread's own:
  std::shared_ptr<const config::Runtime> runtime_;
  std::unordered_map<config::DeploymentId, std::unique_ptr<Probe>> probes_;
  // One client context per (ca_file, tls_verify), rebuilt with each adopted runtime.
  std::unordered_map<std::string, std::shared_ptr<io::TlsContext>> tls_contexts_;
};

// The probe's request for d: the request line, Host, the adapter's credential and default
// headers, Connection: close. Exposed for its unit test.
std::string health_request(const config::RuntimeDeployment& d);

}  // namespace ringgate::gateway
