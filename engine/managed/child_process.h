// Fork + exec of a managed server, and the /proc reads that identify a process later. Kept apart
// from the supervisor's policy: what runs between fork and exec must be async-signal-safe.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/managed/state_file.h"

namespace ringgate::managed {

struct Spawned {
  pid_t pid = -1;
  int output_fd = -1;  // the read end of the child's stdout + stderr (nonblocking)
};

// Runs argv in its own process group with PR_SET_PDEATHSIG(SIGKILL), stdin from /dev/null,
// signals unblocked, env added to this process's environment. Returns once exec succeeded; on
// failure pid is -1 and err says why.
Spawned spawn_child(const std::vector<std::string>& argv,
                    const std::vector<std::pair<std::string, std::string>>& env, std::string& err);

std::optional<ProcStat> read_proc_stat(pid_t pid);
std::optional<std::string> read_proc_cmdline(pid_t pid);
// Whether `pid` is alive and still the process that started at `start` (zombies count as gone).
bool same_process(pid_t pid, uint64_t start);
// Whether any live process is in process group `pgid`.
bool group_alive(pid_t pgid);

// GET path on 127.0.0.1:port with a timeout; true on a 2xx status line.
bool probe_http(uint16_t port, const std::string& path, uint32_t timeout_ms);

}  // namespace ringgate::managed
