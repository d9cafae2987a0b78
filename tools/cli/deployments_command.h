#pragma once

#include <string>

namespace ringgate::cli {

struct DeploymentsOptions {
  std::string config;  // the gateway's config file: its [server] listen and managed deployments
  std::string url;     // or http://HOST:PORT of a running gateway
  bool json = false;   // print /readyz's "managed" array as it is
};

// `ringgate deployments`: each managed deployment's state, pid, port, uptime and requests, from
// a running gateway's /readyz; with none answering, the config's managed deployments as stopped.
int deployments_command(const DeploymentsOptions& options);

}  // namespace ringgate::cli
