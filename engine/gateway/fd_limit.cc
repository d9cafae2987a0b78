#include "engine/gateway/fd_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "engine/config/config.h"

namespace ringgate::gateway {

namespace {
// Per shard: its ring, its eventfd and its listener (and one spare); for the process: stdio,
// the resolver's sockets, config, secret and CA files, and a margin.
constexpr uint64_t kPerShardHeadroom = 4;
constexpr uint64_t kProcessHeadroom = 32;
}  // namespace

uint64_t descriptors_needed(const config::Config& config, unsigned shards) {
  uint64_t upstream = 0;
  for (const config::Upstream& u : config.upstreams) upstream += u.max_connections;
  return uint64_t(shards) * (config.server.max_connections + upstream + kPerShardHeadroom) +
         kProcessHeadroom;
}

std::string raise_fd_limit(uint64_t needed) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) {
    return std::string("ringgate: warning: getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno) +
           "\n";
  }
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= needed) return {};
  // Past the limit, accept fails with EMFILE: the gateway backs off and retries, clients wait
  // in the listen backlog and new upstream connections fail with 502s.
  return "ringgate: warning: open-file limit " + std::to_string(lim.rlim_cur) + " (hard limit " +
         std::to_string(lim.rlim_max) + ") is below the " + std::to_string(needed) +
         " descriptors the configured bounds may need (shards x (server.max_connections + "
         "upstream max_connections) + headroom); raise it (ulimit -n, LimitNOFILE=) or lower "
         "the bounds\n";
}

}  // namespace ringgate::gateway
