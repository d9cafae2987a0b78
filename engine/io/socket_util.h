// Small socket helpers used outside the hot path (listener setup, upstream socket creation).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::io {

// Creates a non-blocking SO_REUSEPORT listener. port 0 picks one; *bound_port gets the result.
int make_listener(const std::string& host, uint16_t port, int backlog, uint16_t* bound_port,
                  std::string& err);
// Splits "host:port" ("[::1]:8080" for IPv6).
bool split_host_port(std::string_view s, std::string& host, uint16_t& port);
void set_tcp_nodelay(int fd);
// Textual peer address of an accepted socket ("127.0.0.1:5123").
std::string peer_address(const sockaddr_storage& addr);

}  // namespace ringgate::io
