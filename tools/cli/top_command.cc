#include "tools/cli/top_command.h"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "tools/cli/gateway_address.h"
#include "tools/cli/http_get.h"
#include "tools/cli/top_frame.h"

namespace ringgate::cli {

namespace {

constexpr std::array<const char*, 4> kPaths = {"/admin/overview", "/admin/keys", "/admin/teams",
                                               "/admin/deployments"};
constexpr int kRequestTimeoutMs = 2000;

// One round of the four GETs: the bodies that came back 200, and the first reason one did not.
struct Snapshot {
  std::array<std::string, 4> bodies;
  std::string problem;
};

std::string problem_of(const std::optional<HttpReply>& r, const GatewayAddress& at,
                       const char* path, const std::string& key_env) {
  if (!r) return "no gateway answers on " + at.host + ":" + at.port;
  switch (r->status) {
    case 200:
      return "";
    case 401:
      return "the gateway refused the admin key in $" + key_env + " (401)";
    case 403:
      return "the gateway has no admin key: set [metrics] admin_key in its config (403)";
    case 404:
      return std::string("GET ") + path + " answered 404 (a gateway without the admin API?)";
    default:
      return std::string("GET ") + path + " answered " + std::to_string(r->status);
  }
}

Snapshot fetch(const GatewayAddress& at, const std::string& auth, const std::string& key_env) {
  Snapshot s;
  for (size_t i = 0; i < kPaths.size(); ++i) {
    const std::optional<HttpReply> r = http_get(at, kPaths[i], auth, kRequestTimeoutMs);
    std::string why = problem_of(r, at, kPaths[i], key_env);
    if (why.empty()) {
      s.bodies[i] = r->body;
      continue;
    }
    if (s.problem.empty()) s.problem = std::move(why);
    // The same answer would come for every path: do not wait on the others.
    if (!r || r->status == 401 || r->status == 403) break;
  }
  return s;
}

std::string frame(const Snapshot& s, const std::string& gateway, std::string_view problem,
                  unsigned width, unsigned height) {
  return render_top_frame({s.bodies[0], s.bodies[1], s.bodies[2], s.bodies[3], gateway, problem},
                          width, height);
}

bool terminal_size(unsigned& cols, unsigned& rows) {
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0) return false;
  cols = ws.ws_col;
  rows = ws.ws_row;
  return true;
}

void write_all(std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = write(STDOUT_FILENO, s.data(), s.size());
    if (n <= 0) return;
    s.remove_prefix(size_t(n));
  }
}

// The alternate screen with the cursor hidden, for as long as it lives: the user's scrollback
// is as it was when top ends.
class AlternateScreen {
 public:
  AlternateScreen() { write_all("\x1b[?1049h\x1b[?25l"); }
  ~AlternateScreen() { write_all("\x1b[?25h\x1b[?1049l"); }
};

// Home, each row cleared then written, then the rest of the screen cleared. Clearing before
// writing: after a row of full width the cursor waits on its last column, where a clear to the
// end would erase that character. No newline after the last row: it would scroll the frame.
void draw(const std::string& text) {
  std::string out = "\x1b[H";
  size_t from = 0;
  while (from < text.size()) {
    size_t nl = text.find('\n', from);
    if (nl == std::string::npos) nl = text.size();
    if (from > 0) out += "\r\n";
    out.append("\x1b[2K").append(text, from, nl - from);
    from = nl + 1;
  }
  out += "\x1b[J";
  write_all(out);
}

int once(const GatewayAddress& at, const std::string& auth, const TopOptions& o) {
  const Snapshot s = fetch(at, auth, o.admin_key_env);
  if (!s.problem.empty()) {
    std::fprintf(stderr, "ringgate top: %s\n", s.problem.c_str());
    return 1;
  }
  unsigned cols = 80, rows = 100000;  // a pipe gets every line
  terminal_size(cols, rows);
  write_all(frame(s, at.host + ":" + at.port, "", cols, rows));
  return 0;
}

// Redraws every interval until a signal to stop; SIGWINCH redraws at the new size at once.
int live(const GatewayAddress& at, const std::string& auth, const TopOptions& o) {
  sigset_t mask, old;
  sigemptyset(&mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGWINCH}) sigaddset(&mask, sig);
  sigprocmask(SIG_BLOCK, &mask, &old);
  const int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  if (sfd < 0) {
    sigprocmask(SIG_SETMASK, &old, nullptr);
    std::perror("ringgate top: signalfd");
    return 1;
  }
  const std::string gateway = at.host + ":" + at.port;
  {
    AlternateScreen screen;
    Snapshot s;
    bool refetch = true;
    for (;;) {
      if (refetch) s = fetch(at, auth, o.admin_key_env);
      const std::string problem = s.problem.empty() ? "" : s.problem + " (retrying)";
      unsigned cols = 80, rows = 24;
      terminal_size(cols, rows);
      draw(frame(s, gateway, problem, cols, rows));
      pollfd p{sfd, POLLIN, 0};
      if (poll(&p, 1, int(o.interval_ms)) != 1) {
        refetch = true;
        continue;
      }
      signalfd_siginfo si{};
      if (read(sfd, &si, sizeof si) != ssize_t(sizeof si)) continue;
      if (si.ssi_signo != SIGWINCH) break;
      refetch = false;
    }
  }
  close(sfd);
  sigprocmask(SIG_SETMASK, &old, nullptr);
  return 0;
}

}  // namespace

int top_command(const TopOptions& o) {
  std::optional<config::Config> cfg;
  std::optional<GatewayAddress> at = find_gateway(o.config, o.url, "ringgate top", cfg);
  if (!at) return 2;
  // With [server.tls] listen of its own, [server] listen stays plain and top can use it.
  if (cfg && o.url.empty() && cfg->server.tls.enabled && !cfg->server.tls.own_listener) {
    std::fprintf(stderr,
                 "ringgate top: %s's listener speaks TLS and top plain HTTP; give --url of a "
                 "plain listener\n",
                 o.config.c_str());
    return 2;
  }
  const char* key = std::getenv(o.admin_key_env.c_str());
  if (!key || !*key) {
    std::fprintf(stderr,
                 "ringgate top: set $%s to the gateway's admin key ([metrics] admin_key), or "
                 "name another variable with --admin-key-env\n",
                 o.admin_key_env.c_str());
    return 2;
  }
  const std::string_view k = key;
  if (k.find_first_of("\r\n") != std::string_view::npos) {
    std::fprintf(stderr, "ringgate top: $%s holds a line break\n", o.admin_key_env.c_str());
    return 2;
  }
  const std::string auth = "Authorization: Bearer " + std::string(k) + "\r\n";
  return o.once ? once(*at, auth, o) : live(*at, auth, o);
}

}  // namespace ringgate::cli
