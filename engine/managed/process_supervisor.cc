#include "engine/managed/process_supervisor.h"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <vector>

#include "engine/managed/child_process.h"
#include "engine/managed/state_file.h"

namespace ringgate::managed {

namespace {

constexpr size_t kTailBytes = 4096;
constexpr uint32_t kReapWaitMs = 2000;

uint64_t unix_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
}

bool make_dirs(const std::string& path, std::string& err) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') continue;
    const std::string part = path.substr(0, i);
    if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      err = "managed state_dir " + part + ": " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string expand_port(const std::string& arg, uint16_t port) {
  std::string out = arg;
  const std::string p = std::to_string(port);
  for (size_t at = out.find("{port}"); at != std::string::npos; at = out.find("{port}", at)) {
    out.replace(at, 6, p);
    at += p.size();
  }
  return out;
}

// One record left by an earlier run: kill what it names if that run is gone and the pid is still
// its child (or, the child gone, its process group still has members: the kernel does not hand
// out a pid still in use as a group id). Returns the group it killed, or 0.
pid_t reap_record(const StateRecord& r, const std::string& file) {
  if (r.owner_pid == getpid()) return 0;
  if (same_process(pid_t(r.owner_pid), r.owner_start)) return 0;  // its owner still runs
  const pid_t pid = pid_t(r.pid);
  const auto st = read_proc_stat(pid);
  if (st) {
    const auto cmdline = read_proc_cmdline(pid);
    if (st->start != r.start || !cmdline || *cmdline != r.cmdline) {
      std::fprintf(stderr, "managed: %s: pid %d now names another process; left alone (%s)\n",
                   r.deployment.c_str(), int(pid), file.c_str());
      return 0;
    }
  } else if (!group_alive(pid)) {
    return 0;  // nothing left
  }
  kill(-pid, SIGKILL);
  std::fprintf(stderr, "managed: %s: reaped process group %d left by an earlier run (%s)\n",
               r.deployment.c_str(), int(pid), file.c_str());
  return pid;
}

void reap_leftovers(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> files;
  while (dirent* e = readdir(d)) {
    const std::string_view name(e->d_name);
    if (name.ends_with(".state")) files.push_back(dir + "/" + std::string(name));
  }
  closedir(d);
  std::vector<pid_t> killed;
  for (const std::string& f : files) {
    const auto text = slurp(f);
    const auto rec = text ? parse_state(*text) : std::nullopt;
    if (!rec) {
      std::fprintf(stderr, "managed: %s: not a state record, removed\n", f.c_str());
      unlink(f.c_str());
      continue;
    }
    if (rec->owner_pid != getpid() && same_process(pid_t(rec->owner_pid), rec->owner_start)) {
      continue;  // another live ringgate's child
    }
    if (const pid_t g = reap_record(*rec, f)) killed.push_back(g);
    unlink(f.c_str());
  }
  // The port is needed again: wait (bounded) for what was killed to be gone.
  const uint64_t until = steady_ms() + kReapWaitMs;
  while (steady_ms() < until &&
         std::any_of(killed.begin(), killed.end(), [](pid_t g) { return group_alive(g); })) {
    usleep(10'000);
  }
}

}  // namespace

std::string default_state_dir() { return "/tmp/ringgate-" + std::to_string(getuid()) + "/managed"; }

struct ProcessSupervisor::Child {
  std::shared_ptr<ManagedProcess> proc;
  std::string name;  // the deployment's: logs and the state file
  pid_t pid = -1;
  int output_fd = -1;
  std::string tail;  // the last kTailBytes of its output: for the log, never a response
  upstream::ProbeSchedule schedule{kProbeIntervalMs, kProbeGraceMs, kProbeMaxBackoffMs};
  uint64_t spawned_at = 0, start_deadline = 0, kill_at = 0;
  uint32_t failures = 0;  // starts failed in a row
  bool removed = false;   // no longer in the runtime: stopped, then forgotten
};

ProcessSupervisor::ProcessSupervisor(std::string state_dir)
    : state_dir_(state_dir.empty() ? default_state_dir() : std::move(state_dir)) {}

ProcessSupervisor::~ProcessSupervisor() { stop(); }

bool ProcessSupervisor::start(std::string& err) {
  if (supervisor_wake_fd() < 0) {
    err = "managed: eventfd failed";
    return false;
  }
  if (!make_dirs(state_dir_, err)) return false;
  reap_leftovers(state_dir_);
  thread_ = std::thread([this] { run(); });
  return true;
}

void ProcessSupervisor::update(std::shared_ptr<const config::Runtime> rt) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = std::move(rt);
  }
  wake_supervisor();
}

void ProcessSupervisor::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_supervisor();
  thread_.join();
}

std::string ProcessSupervisor::state_path(const Child& c) const {
  return state_dir_ + "/" + std::to_string(getpid()) + "-" + c.name + ".state";
}

void ProcessSupervisor::adopt(std::shared_ptr<const config::Runtime> rt) {
  runtime_ = std::move(rt);
  for (auto& [p, c] : children_) c->removed = true;
  const ManagedFleet* fleet = runtime_->managed_fleet();
  if (!fleet) return;
  for (const config::RuntimeDeployment& d : runtime_->deployments()) {
    ManagedProcess* p = fleet->process(d.id);
    if (!p) continue;
    auto& slot = children_[p];
    if (!slot) {
      slot = std::make_unique<Child>();
      slot->proc = fleet->all().at(d.id);
      slot->name = d.def->name;
    }
    slot->removed = false;
  }
}

void ProcessSupervisor::drain_output(Child& c) {
  if (c.output_fd < 0) return;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(c.output_fd, buf, sizeof buf);
    if (n <= 0) {
      if (n == 0) {  // the child closed it (exited, or closed its stdout and stderr)
        close(c.output_fd);
        c.output_fd = -1;
      }
      return;
    }
    c.tail.append(buf, size_t(n));
    if (c.tail.size() > kTailBytes) c.tail.erase(0, c.tail.size() - kTailBytes);
  }
}

void ProcessSupervisor::signal_group(Child& c, int sig) {
  if (c.pid > 0) kill(-c.pid, sig);
}

void ProcessSupervisor::fail_start(Child& c, const char* why, uint64_t now) {
  ManagedProcess& p = *c.proc;
  drain_output(c);
  std::fprintf(stderr, "managed: %s: start failed: %s; its last output:\n%s\n", c.name.c_str(), why,
               c.tail.c_str());
  signal_group(c, SIGKILL);
  ++c.failures;
  const uint32_t shift = std::min<uint32_t>(c.failures - 1, 5);
  p.retry_at_ms.store(now + std::min(kStartBackoffBaseMs << shift, kStartBackoffCapMs));
  p.start_failures.fetch_add(1);
  p.set_state(ManagedState::kFailed);
}

void ProcessSupervisor::spawn(Child& c, uint64_t now) {
  ManagedProcess& p = *c.proc;
  const config::ManagedServer& def = p.def();
  std::vector<std::string> argv;
  for (const std::string& a : def.command) argv.push_back(expand_port(a, def.port));
  std::string err;
  const Spawned s = spawn_child(argv, def.env, err);
  c.tail.clear();
  if (s.pid < 0 || s.output_fd < 0) {
    if (s.pid > 0) waitpid(s.pid, nullptr, 0);
    fail_start(c, err.c_str(), now);
    return;
  }
  c.pid = s.pid;
  c.output_fd = s.output_fd;
  c.spawned_at = now;
  c.start_deadline = now + def.start_timeout_ms;
  c.schedule.start(now);
  p.pid.store(s.pid);
  p.starts.fetch_add(1);
  p.set_state(ManagedState::kStarting);
  // Recorded before anything waits on it, so a crash from here on leaves a record to reap.
  StateRecord r;
  r.owner_pid = getpid();
  r.owner_start = read_proc_stat(getpid()).value_or(ProcStat{}).start;
  r.pid = s.pid;
  r.start = read_proc_stat(s.pid).value_or(ProcStat{}).start;
  r.deployment = c.name;
  r.cmdline = read_proc_cmdline(s.pid).value_or("");
  const std::string path = state_path(c), tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << format_state(r);
  }
  chmod(tmp.c_str(), 0600);  // the command line may carry a server's own key
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::fprintf(stderr, "managed: %s: cannot record pid %d in %s: %s\n", c.name.c_str(),
                 int(s.pid), path.c_str(), std::strerror(errno));
  }
  std::fprintf(stderr, "managed: %s: started pid %d (port %u)\n", c.name.c_str(), int(s.pid),
               unsigned(def.port));
}

void ProcessSupervisor::probe(Child& c, uint64_t now) {
  ManagedProcess& p = *c.proc;
  p.health_probes.fetch_add(1);
  const uint64_t left = c.start_deadline - now;
  const bool ok =
      probe_http(p.def().port, p.def().health, uint32_t(std::min<uint64_t>(kProbeTimeoutMs, left)));
  const uint64_t after = steady_ms();
  if (!ok) {
    c.schedule.on_result(false, after);
    return;
  }
  c.failures = 0;
  p.retry_at_ms.store(0);
  p.ready_since_unix_ms.store(unix_ms());
  p.touch();
  p.take_start_wanted();
  p.set_state(ManagedState::kReady);
  std::fprintf(stderr, "managed: %s: ready after %llu ms\n", c.name.c_str(),
               static_cast<unsigned long long>(after - c.spawned_at));
}

void ProcessSupervisor::collect(Child& c, uint64_t now) {
  int status = 0;
  if (c.pid <= 0 || waitpid(c.pid, &status, WNOHANG) != c.pid) return;
  drain_output(c);
  signal_group(c, SIGKILL);  // what it left in its group goes with it
  unlink(state_path(c).c_str());
  c.pid = -1;
  if (c.output_fd >= 0) close(c.output_fd);
  c.output_fd = -1;
  ManagedProcess& p = *c.proc;
  p.pid.store(0);
  p.ready_since_unix_ms.store(0);
  char why[64];
  std::snprintf(why, sizeof why,
                WIFEXITED(status) ? "exited with status %d" : "killed by signal %d",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  switch (p.state()) {
    case ManagedState::kStarting:
      fail_start(c, why, now);
      break;
    case ManagedState::kReady:
      std::fprintf(stderr, "managed: %s: %s while serving; its last output:\n%s\n", c.name.c_str(),
                   why, c.tail.c_str());
      p.retry_at_ms.store(now + kStartBackoffBaseMs);
      p.set_state(ManagedState::kFailed);
      break;
    case ManagedState::kStopping:
      std::fprintf(stderr, "managed: %s: stopped (%s)\n", c.name.c_str(), why);
      p.set_state(ManagedState::kStopped);
      break;
    default:
      break;
  }
}

void ProcessSupervisor::step(Child& c, uint64_t now) {
  drain_output(c);
  collect(c, now);
  ManagedProcess& p = *c.proc;
  const config::ManagedServer& def = p.def();
  switch (p.state()) {
    case ManagedState::kStopped:
    case ManagedState::kFailed:
      if (!c.removed && c.pid < 0 && p.start_wanted() && now >= p.retry_at_ms.load()) {
        p.take_start_wanted();
        spawn(c, now);
      }
      break;
    case ManagedState::kStarting:
      if (c.removed) {
        p.set_state(ManagedState::kStopping);
        signal_group(c, SIGKILL);
      } else if (now >= c.start_deadline) {
        fail_start(c, "no 2xx from its health path within start_timeout_ms", now);
      } else if (now >= c.schedule.next_due_ms()) {
        probe(c, now);
      }
      break;
    case ManagedState::kReady: {
      const bool idle = def.idle_stop_ms > 0 && p.in_flight() == 0 && p.queued() == 0 &&
                        now >= p.last_used_ms() + def.idle_stop_ms;
      if (c.removed || idle) {
        std::fprintf(stderr, "managed: %s: stopping pid %d (%s)\n", c.name.c_str(), int(c.pid),
                     c.removed ? "removed from the config" : "idle");
        p.set_state(ManagedState::kStopping);
        signal_group(c, SIGTERM);
        c.kill_at = now + def.stop_grace_ms;
      }
      break;
    }
    case ManagedState::kStopping:
      if (c.pid > 0 && now >= c.kill_at) {
        signal_group(c, SIGKILL);
        c.kill_at = now + 1000;
      }
      break;
  }
}

int ProcessSupervisor::poll_timeout_ms(uint64_t now) const {
  uint64_t due = now + 1000;
  for (const auto& [p, c] : children_) {
    const ManagedProcess& mp = *c->proc;
    switch (mp.state()) {
      case ManagedState::kStarting:
        due = std::min({due, c->schedule.next_due_ms(), c->start_deadline});
        break;
      case ManagedState::kStopping:
        due = std::min(due, std::max(now + 10, std::min(c->kill_at, now + 50)));
        break;
      case ManagedState::kReady:
        if (mp.def().idle_stop_ms) due = std::min(due, mp.last_used_ms() + mp.def().idle_stop_ms);
        break;
      default:
        if (c->pid > 0) due = std::min(due, now + 50);  // being killed: collect it soon
        if (mp.start_wanted()) due = std::min(due, mp.retry_at_ms.load());
        break;
    }
  }
  return int(due > now ? std::min<uint64_t>(due - now, 1000) : 0);
}

void ProcessSupervisor::run() {
  std::vector<pollfd> fds;
  for (;;) {
    std::shared_ptr<const config::Runtime> next;
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mu_);
      next = std::move(pending_);
      stopping = stopping_;
    }
    if (next) adopt(std::move(next));
    if (stopping) break;
    const uint64_t now = steady_ms();
    for (auto it = children_.begin(); it != children_.end();) {
      step(*it->second, now);
      if (it->second->removed && it->second->pid < 0) {
        it = children_.erase(it);
      } else {
        ++it;
      }
    }
    fds.assign(1, pollfd{supervisor_wake_fd(), POLLIN, 0});
    for (const auto& [p, c] : children_) {
      if (c->output_fd >= 0) fds.push_back(pollfd{c->output_fd, POLLIN, 0});
    }
    poll(fds.data(), fds.size(), poll_timeout_ms(steady_ms()));
    uint64_t drained;
    [[maybe_unused]] ssize_t n = read(supervisor_wake_fd(), &drained, sizeof drained);
  }
  // Stopping: every child gets SIGTERM, then SIGKILL once its grace is over.
  uint64_t now = steady_ms();
  uint64_t kill_at = now;
  for (auto& [p, c] : children_) {
    if (c->pid <= 0) continue;
    c->proc->set_state(ManagedState::kStopping);
    signal_group(*c, SIGTERM);
    kill_at = std::max(kill_at, now + c->proc->def().stop_grace_ms);
  }
  bool killed = false;
  for (;;) {
    now = steady_ms();
    bool left = false;
    for (auto& [p, c] : children_) {
      collect(*c, now);
      if (c->pid > 0 && killed) signal_group(*c, SIGKILL);
      left |= c->pid > 0;
    }
    if (!left) break;
    if (now >= kill_at) killed = true;
    usleep(10'000);
  }
  children_.clear();
}

}  // namespace ringgate::managed
