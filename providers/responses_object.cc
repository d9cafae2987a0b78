#include "providers/responses_object.h"

#include <ctime>

#include "providers/json_access.h"

namespace ringgate::providers {
namespace {

// Defaults of the echoed request fields, in the order OpenAI writes them.
struct EchoDefault {
  std::string_view name, json;
};
constexpr EchoDefault kEchoDefaults[] = {
    {"instructions", "null"},
    {"max_output_tokens", "null"},
    {"metadata", "{}"},
    {"parallel_tool_calls", "true"},
    {"previous_response_id", "null"},
    {"reasoning", R"({"effort":null,"summary":null})"},
    {"store", "true"},
    {"temperature", "null"},
    {"text", R"({"format":{"type":"text"}})"},
    {"tool_choice", R"("auto")"},
    {"tools", "[]"},
    {"top_p", "null"},
    {"truncation", R"("disabled")"},
    {"user", "null"},
};

// Whether the echo members name `key` at their top level. The echo is our own output
// (request translation), so a parse failure only means "no members".
bool echo_has(simdjson::dom::object echo, bool parsed, std::string_view key) {
  if (!parsed) return false;
  simdjson::dom::element e;
  return !echo.at_key(key).get(e);
}

}  // namespace

void write_responses_usage(JsonWriter& w, const TokenUsage& usage, int64_t reasoning_tokens) {
  w.begin_object();
  w.key("input_tokens").integer(usage.prompt_tokens);
  w.key("input_tokens_details").begin_object().key("cached_tokens").integer(usage.cached_tokens);
  w.end_object();
  w.key("output_tokens").integer(usage.completion_tokens);
  w.key("output_tokens_details").begin_object().key("reasoning_tokens").integer(reasoning_tokens);
  w.end_object();
  w.key("total_tokens").integer(usage.prompt_tokens + usage.completion_tokens);
  w.end_object();
}

void write_responses_object(JsonWriter& w, const ResponsesEnvelope& e) {
  thread_local simdjson::dom::parser parser;
  thread_local std::string echo_text;
  simdjson::dom::object echo;
  bool parsed = false;
  if (!e.echo.empty()) {
    echo_text.clear();
    echo_text += '{';
    echo_text += e.echo;
    echo_text += '}';
    parsed = !parser.parse(echo_text).get(echo);
  }
  w.begin_object();
  w.key("id").string(e.id).key("object").string("response");
  w.key("created_at").integer(e.created_at ? e.created_at : int64_t(std::time(nullptr)));
  w.key("status").string(e.status);
  w.key("error");
  e.error.empty() ? w.null() : w.raw(e.error);
  w.key("incomplete_details");
  if (e.incomplete_reason.empty()) {
    w.null();
  } else {
    w.begin_object().key("reason").string(e.incomplete_reason).end_object();
  }
  w.key("model").string(e.model);
  if (parsed) {
    for (auto [key, value] : echo) w.key(key).element(value);
  }
  for (const auto& d : kEchoDefaults) {
    if (!echo_has(echo, parsed, d.name)) w.key(d.name).raw(d.json);
  }
  w.key("output");
  e.output.empty() ? w.begin_array().end_array() : w.raw(e.output);
  w.key("usage");
  if (e.usage == nullptr) {
    w.null();
  } else {
    write_responses_usage(w, *e.usage, e.reasoning_tokens);
  }
  w.end_object();
}

std::string responses_item_id(std::string_view prefix, std::string_view response_id,
                              size_t output_index) {
  constexpr std::string_view kResp = "resp_";
  if (response_id.substr(0, kResp.size()) == kResp) response_id.remove_prefix(kResp.size());
  std::string id(prefix);
  id += '_';
  id += response_id;
  id += '_';
  id += std::to_string(output_index);
  return id;
}

bool is_custom_tool(std::string_view custom_tools, std::string_view name) {
  if (name.empty()) return false;
  while (!custom_tools.empty()) {
    const auto comma = custom_tools.find(',');
    if (custom_tools.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    custom_tools.remove_prefix(comma + 1);
  }
  return false;
}

void write_message_item(JsonWriter& w, std::string_view id, std::string_view text,
                        std::string_view status) {
  w.begin_object().key("id").string(id).key("type").string("message");
  w.key("status").string(status).key("role").string("assistant");
  w.key("content").begin_array().begin_object().key("type").string("output_text");
  w.key("text").string(text);
  w.key("annotations").begin_array().end_array().key("logprobs").begin_array().end_array();
  w.end_object().end_array().end_object();
}

namespace {
constexpr std::string_view kNamespaceSeparator = "__";
}  // namespace

std::string upstream_tool_name(ToolName tool) {
  if (tool.ns.empty()) return std::string(tool.name);
  std::string flat(tool.ns);
  flat += kNamespaceSeparator;
  flat += tool.name;
  return flat;
}

void add_namespaced_tool(std::string& list, ToolName tool) {
  if (!list.empty()) list += ',';
  list += tool.ns;
  list += '.';
  list += tool.name;
}

ToolName client_tool_name(std::string_view namespaced_tools, std::string_view upstream_name) {
  while (!namespaced_tools.empty()) {
    const size_t comma = namespaced_tools.find(',');
    const std::string_view entry = namespaced_tools.substr(0, comma);
    const size_t dot = entry.find('.');
    const std::string_view ns = entry.substr(0, dot);
    if (dot != std::string_view::npos && upstream_name.size() > ns.size() &&
        upstream_name.starts_with(ns) &&
        upstream_name.substr(ns.size()).starts_with(kNamespaceSeparator) &&
        upstream_name.substr(ns.size() + kNamespaceSeparator.size()) == entry.substr(dot + 1)) {
      return {ns, entry.substr(dot + 1)};
    }
    if (comma == std::string_view::npos) break;
    namespaced_tools.remove_prefix(comma + 1);
  }
  return {upstream_name};
}

bool valid_tool_name_part(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void write_tool_name(JsonWriter& w, ToolName name) {
  w.key("name").string(name.name);
  if (!name.ns.empty()) w.key("namespace").string(name.ns);
}

void write_function_call_item(JsonWriter& w, std::string_view id, std::string_view call_id,
                              ToolName name, std::string_view arguments) {
  w.begin_object().key("id").string(id).key("type").string("function_call");
  w.key("status").string("completed").key("call_id").string(call_id);
  write_tool_name(w, name);
  w.key("arguments").string(arguments).end_object();
}

void write_custom_tool_call_item(JsonWriter& w, std::string_view id, std::string_view call_id,
                                 ToolName name, std::string_view input) {
  w.begin_object().key("id").string(id).key("type").string("custom_tool_call");
  w.key("status").string("completed").key("call_id").string(call_id);
  write_tool_name(w, name);
  w.key("input").string(input).end_object();
}

void write_reasoning_item(JsonWriter& w, std::string_view id, std::string_view summary_text,
                          std::string_view encrypted_content) {
  w.begin_object().key("id").string(id).key("type").string("reasoning");
  w.key("summary").begin_array();
  if (!summary_text.empty()) {
    w.begin_object().key("type").string("summary_text").key("text").string(summary_text);
    w.end_object();
  }
  w.end_array();
  if (!encrypted_content.empty()) w.key("encrypted_content").string(encrypted_content);
  w.end_object();
}

}  // namespace ringgate::providers
