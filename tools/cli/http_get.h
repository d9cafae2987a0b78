#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tools/cli/gateway_address.h"

namespace ringgate::cli {

struct HttpReply {
  int status = 0;
  std::string body;  // de-framed (chunked or by length)
};

// One plain HTTP/1.1 GET to a local gateway, the connection closed after the reply.
// extra_headers are whole "Name: value\r\n" lines. nullopt when nothing answered, the peer
// paused for timeout_ms before the reply ended, the reply was not HTTP, or it was larger than
// max_bytes.
std::optional<HttpReply> http_get(const GatewayAddress& to, std::string_view path,
                                  std::string_view extra_headers = {}, int timeout_ms = 3000,
                                  size_t max_bytes = size_t(16) << 20);

}  // namespace ringgate::cli
