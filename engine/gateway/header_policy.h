// Which headers cross the gateway. Hop-by-hop headers never do; credentials never do (the
// gateway substitutes the provider key); everything else an API client or upstream relies on does.
#pragma once

#include <string_view>

namespace ringgate::gateway {

// Client request header -> upstream request.
bool forward_to_upstream(std::string_view name);
// Upstream response header -> client response (framing headers are set by the gateway).
bool forward_to_client(std::string_view name);

}  // namespace ringgate::gateway
