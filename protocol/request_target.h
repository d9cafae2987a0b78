#pragma once

// Request-target checks made before a target is routed or forwarded. The gateway forwards the
// client's path to an upstream byte for byte, so it refuses any target that the upstream (or a
// framework or proxy in front of it) could resolve to a different path than the one the gateway
// routed on: dot segments in any spelling, and fragments, which RFC 9112 does not allow in a
// request target at all.

#include <string_view>

namespace ringgate::protocol {

// nullptr when `target` may be forwarded, else why it is refused (a 400).
//
// A dot segment is "." or ".." with each dot written as '.' or %2e (any case). Besides '/',
// a segment also ends at '\' and at %2f / %5c (back ends that decode or fold them split
// there), and its dots are compared up to a ';' (Tomcat-style path parameters: "/..;/" is
// "/../" there). Only the path is checked; the query is not a path. Percent-decoding is done
// once, as RFC 3986 does; a doubly encoded "%252e" stays a literal "%2e".
const char* request_target_problem(std::string_view target);

// `path` is `base` or below it ("/v1/responses", "/v1/responses/resp_1"; not "/v1/responsesx").
constexpr bool path_at_or_under(std::string_view path, std::string_view base) {
  return path.substr(0, base.size()) == base &&
         (path.size() == base.size() || path[base.size()] == '/');
}

}  // namespace ringgate::protocol
