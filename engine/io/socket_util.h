// Small socket helpers used outside the hot path (listener setup, upstream socket creation).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace ringgate::io {

// Creates a non-blocking SO_REUSEPORT listener. port 0 picks one; *bound_port gets the result.
int make_listener(const std::string& host, uint16_t port, int backlog, uint16_t* bound_port,
                  std::string& err);
void set_tcp_nodelay(int fd);

}  // namespace ringgate::io
