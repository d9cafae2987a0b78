// Which headers cross the gateway. Hop-by-hop headers never do; credentials never do (the
// gateway substitutes the provider key); everything else an API client or upstream relies on does.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "protocol/http_header.h"

namespace ringgate::gateway {

// The field names a message's Connection header fields list. RFC 9110 section 7.6.1 makes them
// hop-by-hop for that one connection, so a proxy removes them before forwarding: a client (or
// upstream) can name any header there, and the next hop must not see it.
class ConnectionNamed {
 public:
  // Keeps a reference: `headers` must outlive this object (one message's header list).
  explicit ConnectionNamed(const std::vector<protocol::HttpHeader>& headers);
  bool contains(std::string_view name) const;

 private:
  const std::vector<protocol::HttpHeader>& headers_;
  size_t first_;  // index of the first Connection field; headers_.size() when there is none
};

// Client request header -> upstream request.
bool forward_to_upstream(std::string_view name);
bool forward_to_upstream(std::string_view name, const ConnectionNamed& hop);
// Upstream response header -> client response (framing headers are set by the gateway). The
// upstream's rate-limit headers (x-ratelimit-*, anthropic-ratelimit-*) describe the provider key:
// they go through only with `upstream_rate_limits`, when the gateway limits the caller by none of
// its own.
bool forward_to_client(std::string_view name, bool upstream_rate_limits = false);
bool forward_to_client(std::string_view name, const ConnectionNamed& hop,
                       bool upstream_rate_limits = false);

}  // namespace ringgate::gateway
