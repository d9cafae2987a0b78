#include "cache/semantic_prompt.h"

#include <simdjson.h>

#include <array>

namespace ringgate::cache {
namespace {

using simdjson::dom::element;

// A top-level field whose presence means the answer may be a tool call, not text.
constexpr std::array<std::string_view, 3> kToolFields = {"tools", "functions", "tool_choice"};

// Appends `role: text\n` for a string or an array of {"type":"text","text":...} parts; false
// for anything else (an image, a tool block, a malformed part).
bool append_turn(std::string_view role, element content, std::string& out) {
  out.append(role).append(": ");
  std::string_view text;
  if (content.get_string().get(text) == simdjson::SUCCESS) {
    out.append(text).push_back('\n');
    return true;
  }
  simdjson::dom::array parts;
  if (content.get_array().get(parts) != simdjson::SUCCESS) return false;
  for (element part : parts) {
    std::string_view type;
    if (part["type"].get_string().get(type) != simdjson::SUCCESS || type != "text" ||
        part["text"].get_string().get(text) != simdjson::SUCCESS) {
      return false;
    }
    out.append(text).push_back('\n');
  }
  return true;
}

bool append_messages(simdjson::dom::array messages, std::string& out) {
  bool has_user = false;
  for (element message : messages) {
    std::string_view role;
    element content;
    if (message["role"].get_string().get(role) != simdjson::SUCCESS) return false;
    if (role != "system" && role != "developer" && role != "user" && role != "assistant") {
      return false;  // tool / function turns
    }
    if (!message["tool_calls"].error() || !message["function_call"].error()) return false;
    if (message["content"].get(content) != simdjson::SUCCESS) return false;
    if (!append_turn(role, content, out)) return false;
    has_user = has_user || role == "user";
  }
  return has_user;
}

}  // namespace

std::optional<std::string> semantic_prompt_text(std::string_view body, size_t max_bytes) {
  thread_local simdjson::dom::parser parser;
  element doc;
  simdjson::dom::object top;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(top) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  for (std::string_view field : kToolFields) {
    if (!top[field].error()) return std::nullopt;
  }
  std::string out;
  element system;
  if (top["system"].get(system) == simdjson::SUCCESS && !append_turn("system", system, out)) {
    return std::nullopt;  // Anthropic's top-level system
  }
  simdjson::dom::array messages;
  if (top["messages"].get_array().get(messages) != simdjson::SUCCESS ||
      !append_messages(messages, out) || out.size() > max_bytes) {
    return std::nullopt;
  }
  return out;
}

}  // namespace ringgate::cache
