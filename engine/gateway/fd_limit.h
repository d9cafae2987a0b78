// The process's descriptor budget: what the configured bounds may hold open at once, and the
// soft RLIMIT_NOFILE raised to the hard limit so that budget fits where the system allows.
#pragma once

#include <cstdint>
#include <string>

namespace ringgate::config {
struct Config;
}

namespace ringgate::gateway {

// Client connections (shards x server.max_connections), upstream connections (shards x the sum
// of each upstream's max_connections) and a fixed headroom for rings, eventfds, listeners,
// stdio, the resolver and files read at start.
uint64_t descriptors_needed(const config::Config& config, unsigned shards);

// Raises the soft limit to the hard one. Returns a warning for stderr when the (raised) limit
// is below `needed`, else "".
std::string raise_fd_limit(uint64_t needed);

}  // namespace ringgate::gateway
