#include "engine/gateway/header_policy.h"

#include "protocol/http_header.h"

namespace ringgate::gateway {

using protocol::ascii_iequals;
using protocol::HttpHeader;

namespace {
bool any_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (n.size() == name.size() && ascii_iequals(name, n)) return true;  // length first: cheap
  }
  return false;
}
bool has_prefix(std::string_view name, std::string_view lower_prefix) {
  return name.size() >= lower_prefix.size() &&
         ascii_iequals(name.substr(0, lower_prefix.size()), lower_prefix);
}

bool hop_by_hop(std::string_view name) {
  return any_of(name, {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
                       "trailer", "upgrade", "content-length", "host", "expect"});
}
}  // namespace

ConnectionNamed::ConnectionNamed(const std::vector<HttpHeader>& headers)
    : headers_(headers), first_(headers.size()) {
  for (size_t i = 0; i < headers.size(); ++i) {
    if (ascii_iequals(headers[i].name, "connection")) {
      first_ = i;
      break;
    }
  }
}

bool ConnectionNamed::contains(std::string_view name) const {
  // Most messages have no Connection header, so most calls end here.
  for (size_t i = first_; i < headers_.size(); ++i) {
    const HttpHeader& h = headers_[i];
    if (ascii_iequals(h.name, "connection") && protocol::header_has_token(h.value, name)) {
      return true;
    }
  }
  return false;
}

bool forward_to_upstream(std::string_view name) {
  if (hop_by_hop(name)) return false;
  // CGI-style back ends fold '-' and '_' onto one name, so X_Api_Key could arrive as the
  // x-api-key this policy drops; no API header has an underscore (nginx drops them too).
  if (name.find('_') != std::string_view::npos) return false;
  // Credentials are replaced by the provider's; cookies and proxy headers are not the
  // upstream's business. accept-encoding is dropped so streams arrive as plain SSE.
  if (any_of(name, {"authorization", "x-api-key", "api-key", "x-ringgate-provider-key", "cookie",
                    "proxy-authorization", "accept-encoding", "x-request-id", "x-forwarded-for",
                    "forwarded", "x-real-ip"})) {
    return false;
  }
  return true;
}

bool forward_to_upstream(std::string_view name, const ConnectionNamed& hop) {
  return forward_to_upstream(name) && !hop.contains(name);
}

bool forward_to_client(std::string_view name, bool upstream_rate_limits) {
  if (hop_by_hop(name)) return false;
  // The gateway answers CORS itself. When the gateway limits the caller, the rate-limit headers
  // a client reads describe its own virtual key (set by admission) and the provider key's limits
  // are the operator's business; without such a limit the upstream's are all there is.
  if (has_prefix(name, "access-control-")) return false;
  if (has_prefix(name, "x-ratelimit-") || has_prefix(name, "anthropic-ratelimit-")) {
    return upstream_rate_limits;
  }
  return !any_of(name,
                 {"set-cookie", "x-request-id", "server", "alt-svc", "strict-transport-security"});
}

bool forward_to_client(std::string_view name, const ConnectionNamed& hop,
                       bool upstream_rate_limits) {
  return forward_to_client(name, upstream_rate_limits) && !hop.contains(name);
}

}  // namespace ringgate::gateway
