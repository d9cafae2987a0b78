#pragma once

// The OpenAI Responses object (POST /v1/responses answer, and the `response` inside stream
// events) and its output items, written the same way by the non-streaming response translator
// and the stream translator so that response.created / response.completed and the final body
// agree member for member.

#include <cstdint>
#include <string>
#include <string_view>

#include "providers/json_writer.h"
#include "providers/translation_types.h"

namespace ringgate::providers {

struct ResponsesEnvelope {
  std::string_view id;                 // "resp_..."
  int64_t created_at = 0;              // unix seconds; 0 = now
  std::string_view status;             // completed, incomplete, in_progress, failed
  std::string_view incomplete_reason;  // max_output_tokens / content_filter; "" = null details
  std::string_view error;              // a JSON object for `error`; "" = null
  std::string_view model;
  std::string_view echo;    // TranslateResult::responses_echo: members without braces, or ""
  std::string_view output;  // a JSON array of output items; "" = []
  const TokenUsage* usage = nullptr;  // null = "usage": null (in_progress)
  int64_t reasoning_tokens = 0;       // output_tokens_details.reasoning_tokens
};

// Writes the whole object. Echo members the request set win; the defaults of the others
// (tools [], tool_choice "auto", store true, ...) fill the rest; no member is written twice.
void write_responses_object(JsonWriter& w, const ResponsesEnvelope& envelope);

// The `usage` object of a Responses object (input_tokens includes cached ones).
void write_responses_usage(JsonWriter& w, const TokenUsage& usage, int64_t reasoning_tokens);

// Deterministic item ids: "<prefix>_<response id without its resp_ prefix>_<output index>", so a
// stream's events and its final object name the same items.
std::string responses_item_id(std::string_view prefix, std::string_view response_id,
                              size_t output_index);

// True when `name` is one of the comma-separated names in `custom_tools`.
bool is_custom_tool(std::string_view custom_tools, std::string_view name);

// A tool's name as the client knows it: in a `namespace` tool (Codex groups its sub-agent tools
// so), the namespace too. Upstream such a tool is one flat function, "<namespace>__<name>".
struct ToolName {
  ToolName() = default;
  ToolName(std::string_view n) : name(n) {}  // NOLINT: a name outside any namespace
  ToolName(std::string_view n_s, std::string_view n) : ns(n_s), name(n) {}
  std::string_view ns, name;
};
std::string upstream_tool_name(ToolName tool);
// Lists a namespaced tool in TranslateResult::namespaced_tools.
void add_namespaced_tool(std::string& list, ToolName tool);
// The client's name for an upstream tool name: split when `namespaced_tools` lists it.
ToolName client_tool_name(std::string_view namespaced_tools, std::string_view upstream_name);
// Namespace and tool names the flat name can hold unambiguously: letters, digits, '_', '-'.
bool valid_tool_name_part(std::string_view s);

// Output items, complete (status "completed"; a message cut short by the output limit or a
// content filter is "incomplete").
void write_message_item(JsonWriter& w, std::string_view id, std::string_view text,
                        std::string_view status = "completed");
void write_function_call_item(JsonWriter& w, std::string_view id, std::string_view call_id,
                              ToolName name, std::string_view arguments);
void write_custom_tool_call_item(JsonWriter& w, std::string_view id, std::string_view call_id,
                                 ToolName name, std::string_view input);
// "name" and, for a tool in a namespace, "namespace".
void write_tool_name(JsonWriter& w, ToolName name);
// encrypted_content "" is left out (a reasoning item without a signature).
void write_reasoning_item(JsonWriter& w, std::string_view id, std::string_view summary_text,
                          std::string_view encrypted_content);

}  // namespace ringgate::providers
