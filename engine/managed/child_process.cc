#include "engine/managed/child_process.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "engine/managed/managed_process.h"

extern char** environ;

namespace ringgate::managed {

namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Between fork and exec: only async-signal-safe calls. Reports errno on `report` and exits.
[[noreturn]] void exec_child(char* const* argv, char* const* envp, int out_fd, int report,
                             pid_t parent) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the parent died before the signal was armed
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);  // ringgate blocks its stop signals in every thread
  signal(SIGPIPE, SIG_DFL);
  const int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd >= 0) dup2(null_fd, 0);
  dup2(out_fd, 1);
  dup2(out_fd, 2);
  // Every other descriptor (listeners, the ledger) stays ringgate's; the report pipe is CLOEXEC.
  for (int fd = 3; fd < 1024; ++fd) {
    if (fd != report) close(fd);
  }
  execvpe(argv[0], argv, envp);
  const int e = errno;
  [[maybe_unused]] ssize_t n = write(report, &e, sizeof e);
  _exit(127);
}

}  // namespace

Spawned spawn_child(const std::vector<std::string>& argv,
                    const std::vector<std::pair<std::string, std::string>>& env, std::string& err) {
  Spawned s;
  // Everything exec needs is built before fork.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) {
    const std::string_view kv(*e);
    bool replaced = false;
    for (const auto& [k, v] : env) replaced |= kv.starts_with(k + "=");
    if (!replaced) env_store.emplace_back(kv);
  }
  for (const auto& [k, v] : env) env_store.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  int out[2], report[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    err = std::string("pipe: ") + std::strerror(errno);
    return s;
  }
  if (pipe2(report, O_CLOEXEC) != 0) {
    err = std::string("pipe: ") + std::strerror(errno);
    close(out[0]);
    close(out[1]);
    return s;
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) exec_child(args.data(), envp.data(), out[1], report[1], parent);
  close(out[1]);
  close(report[1]);
  if (pid < 0) {
    err = std::string("fork: ") + std::strerror(errno);
    close(out[0]);
    close(report[0]);
    return s;
  }
  setpgid(pid, pid);  // also here: no window where a signal to the group misses it
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == ssize_t(sizeof child_errno)) {
    err = "exec " + argv[0] + ": " + std::strerror(child_errno);
    close(out[0]);
    kill(pid, SIGKILL);
    return Spawned{pid, -1};  // the caller reaps it; pid says which
  }
  fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
  s.pid = pid;
  s.output_fd = out[0];
  return s;
}

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  auto text = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return std::nullopt;
  // A zombie has exited: it is no longer the process, whatever its pid says.
  const size_t close_paren = text->rfind(')');
  if (close_paren != std::string::npos && text->compare(close_paren, 3, ") Z") == 0) {
    return std::nullopt;
  }
  return parse_proc_stat(*text);
}

std::optional<std::string> read_proc_cmdline(pid_t pid) {
  return read_file("/proc/" + std::to_string(pid) + "/cmdline");
}

bool same_process(pid_t pid, uint64_t start) {
  const auto st = read_proc_stat(pid);
  return st && st->start == start;
}

bool group_alive(pid_t pgid) {
  DIR* d = opendir("/proc");
  if (!d) return false;
  bool found = false;
  while (dirent* e = readdir(d)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    const auto st = read_proc_stat(pid_t(pid));
    if (st && st->pgid == pgid) {
      found = true;
      break;
    }
  }
  closedir(d);
  return found;
}

bool probe_http(uint16_t port, const std::string& path, uint32_t timeout_ms) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const uint64_t deadline = steady_ms() + timeout_ms;
  auto wait = [&](short events) {
    const uint64_t now = steady_ms();
    if (now >= deadline) return false;
    pollfd p{fd, events, 0};
    return poll(&p, 1, int(deadline - now)) == 1 && !(p.revents & (POLLERR | POLLNVAL));
  };
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc == 0 || (errno == EINPROGRESS && wait(POLLOUT))) {
    int soerr = 0;
    socklen_t len = sizeof soerr;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                            "\r\nConnection: close\r\n\r\n";
    if (soerr == 0 && send(fd, req.data(), req.size(), MSG_NOSIGNAL) == ssize_t(req.size())) {
      std::string head;
      char buf[256];
      while (head.size() < 12 && wait(POLLIN)) {
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        head.append(buf, size_t(n));
      }
      // "HTTP/1.1 200": the status's first digit.
      ok = head.size() >= 12 && head.starts_with("HTTP/1.") && head[8] == ' ' && head[9] == '2';
    }
  }
  close(fd);
  return ok;
}

}  // namespace ringgate::managed
