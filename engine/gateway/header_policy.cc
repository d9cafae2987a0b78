#include "engine/gateway/header_policy.h"

#include "protocol/http_header.h"

namespace ringgate::gateway {

using protocol::ascii_iequals;

namespace {
bool any_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (n.size() == name.size() && ascii_iequals(name, n)) return true;  // length first: cheap
  }
  return false;
}
bool hop_by_hop(std::string_view name) {
  return any_of(name, {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
                       "trailer", "upgrade", "content-length", "host", "expect"});
}
}  // namespace

bool forward_to_upstream(std::string_view name) {
  if (hop_by_hop(name)) return false;
  // Credentials are replaced by the provider's; cookies and proxy headers are not the
  // upstream's business. accept-encoding is dropped so streams arrive as plain SSE.
  if (any_of(name,
             {"authorization", "x-api-key", "api-key", "cookie", "proxy-authorization",
              "accept-encoding", "x-request-id", "x-forwarded-for", "forwarded", "x-real-ip"})) {
    return false;
  }
  return true;
}

bool forward_to_client(std::string_view name) {
  if (hop_by_hop(name)) return false;
  return !any_of(name,
                 {"set-cookie", "x-request-id", "server", "alt-svc", "strict-transport-security"});
}

}  // namespace ringgate::gateway
