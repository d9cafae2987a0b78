// The one thread that runs managed deployments' servers: forks them (PR_SET_PDEATHSIG fires when
// the forking thread exits, so the forking thread is this one, which lives until every child is
// stopped), probes their health path while they start (ProbeSchedule: a start-up grace and
// backoff, one prober however many requests wait: 004-P8), stops them when idle and records each
// in the state directory so a restart after a crash reaps what was left (004-P1). Shards only
// read ManagedProcess and ask for starts; the single flight (004-P2) is that only this thread
// forks, and only from kStopped or kFailed.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "engine/config/runtime.h"
#include "engine/managed/managed_process.h"
#include "engine/upstream/probe_schedule.h"

namespace ringgate::managed {

// How long a failed start waits before the next: doubled per failure in a row, capped.
inline constexpr uint32_t kStartBackoffBaseMs = 1000, kStartBackoffCapMs = 30000;
// Probes while starting: the first after the grace, then every interval doubled per failure up
// to the cap, each with its own timeout.
inline constexpr uint32_t kProbeGraceMs = 250, kProbeIntervalMs = 100, kProbeMaxBackoffMs = 300,
                          kProbeTimeoutMs = 1000;

// "" -> /tmp/ringgate-<uid>/managed.
std::string default_state_dir();

class ProcessSupervisor {
 public:
  explicit ProcessSupervisor(std::string state_dir);
  ~ProcessSupervisor();
  ProcessSupervisor(const ProcessSupervisor&) = delete;
  ProcessSupervisor& operator=(const ProcessSupervisor&) = delete;

  // Makes the state directory, reaps what a killed earlier run left in it, starts the thread.
  bool start(std::string& err);
  // The runtime whose fleet to run from now on; children of processes it no longer holds stop.
  void update(std::shared_ptr<const config::Runtime> rt);
  // Every child: SIGTERM to its group, SIGKILL after its grace; then the thread ends.
  void stop();

 private:
  struct Child;
  void run();
  void adopt(std::shared_ptr<const config::Runtime> rt);
  void step(Child& c, uint64_t now);
  void spawn(Child& c, uint64_t now);
  void probe(Child& c, uint64_t now);
  void collect(Child& c, uint64_t now);
  void fail_start(Child& c, const char* why, uint64_t now);
  void signal_group(Child& c, int sig);
  void drain_output(Child& c);
  int poll_timeout_ms(uint64_t now) const;
  std::string state_path(const Child& c) const;

  std::string state_dir_;
  std::thread thread_;
  std::mutex mu_;  // guards pending_ and stopping_
  std::shared_ptr<const config::Runtime> pending_;
  bool stopping_ = false;
  // The thread's own:
  std::shared_ptr<const config::Runtime> runtime_;
  std::unordered_map<ManagedProcess*, std::unique_ptr<Child>> children_;
};

}  // namespace ringgate::managed
