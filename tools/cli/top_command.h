#pragma once

#include <string>

namespace ringgate::cli {

struct TopOptions {
  std::string config;  // the gateway's config file: its [server] listen address
  std::string url;     // or http://HOST:PORT of a running gateway
  std::string admin_key_env = "RINGGATE_ADMIN_KEY";  // the variable holding the admin key
  unsigned interval_ms = 1000;
  bool once = false;  // one frame on stdout, no screen control; exit 1 when data is missing
};

// `ringgate top`: the admin API's overview, limits, budgets and deployments in the terminal,
// redrawn in place every interval on the alternate screen until SIGINT/SIGTERM/SIGHUP.
int top_command(const TopOptions& options);

}  // namespace ringgate::cli
