#pragma once

#include <string_view>
#include <vector>

namespace ringgate::protocol {

// One header field as it appeared on the wire; views into the caller's buffer.
struct HttpHeader {
  std::string_view name, value;
};

// ASCII case-insensitive equality; header names and most HTTP tokens are case-insensitive.
bool ascii_iequals(std::string_view a, std::string_view b);

// First header named `name` (case-insensitive), or "" when absent.
std::string_view find_header(const std::vector<HttpHeader>& headers, std::string_view name);

// True when the comma-separated list `value` holds `token` (case-insensitive, OWS trimmed),
// as in "Connection: keep-alive, Upgrade".
bool header_has_token(std::string_view value, std::string_view token);

// True when a Content-Type value names text/event-stream (case-insensitive, parameters such as
// "; charset=utf-8" allowed): the body is a stream of SSE events.
bool is_event_stream(std::string_view content_type);

}  // namespace ringgate::protocol
