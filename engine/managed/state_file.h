// The record a managed child leaves in the state directory, and the /proc fields that prove a pid
// still belongs to it. A restart after a crash reads every record and reaps only a child whose
// owner (the ringgate that started it) is gone and whose pid still names the recorded process:
// same start time (/proc/PID/stat field 22) and command line, since pids are reused (004-P1).
// Pure parsing and formatting here; the files and /proc are read by the supervisor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringgate::managed {

struct StateRecord {
  int64_t owner_pid = 0;
  uint64_t owner_start = 0;  // clock ticks since boot, as /proc/PID/stat field 22
  int64_t pid = 0;           // the child; also its process group
  uint64_t start = 0;
  std::string deployment;
  std::string cmdline;  // /proc/PID/cmdline bytes (NUL-separated argv)
  bool operator==(const StateRecord&) const = default;
};

// "ringgate-managed 1\n" then key=value lines; the cmdline hex-encoded so any byte fits one line.
std::string format_state(const StateRecord& r);
// nullopt for anything that is not a whole, well-formed record (a torn write, another file).
std::optional<StateRecord> parse_state(std::string_view text);

// Of /proc/PID/stat's text: the start time (field 22) and the process group (field 5). The
// command name (field 2) is in parentheses and may itself hold spaces and ')': fields are
// counted from the last ')'.
struct ProcStat {
  int64_t pgid = 0;
  uint64_t start = 0;
};
std::optional<ProcStat> parse_proc_stat(std::string_view text);

}  // namespace ringgate::managed
