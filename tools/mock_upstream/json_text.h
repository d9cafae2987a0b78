#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::mock_upstream {

// Appends `s` as a quoted JSON string; invalid UTF-8 bytes are replaced so output stays valid.
void AppendJsonString(std::string& out, std::string_view s);

inline std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

// One named SSE event: "event: NAME\ndata: JSON\n\n" (Anthropic's and the Responses API's shape).
inline std::string NamedSseEvent(std::string_view name, std::string_view json) {
  std::string event = "event: ";
  event += name;
  event += "\ndata: ";
  event += json;
  event += "\n\n";
  return event;
}

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace ringgate::mock_upstream
