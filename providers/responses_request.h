#pragma once

// Internal to the Responses request translation: the request's top-level fields and items, read
// and checked once (responses_request_translator.cc), then written for one upstream API by
// write_anthropic (responses_to_anthropic.cc) or write_chat (responses_to_chat.cc).

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "providers/json_access.h"
#include "providers/responses_input_items.h"
#include "providers/responses_object.h"
#include "providers/translation_types.h"

namespace ringgate::providers::responses {

class Request {
 public:
  Request(const TranslateOptions& options, TranslateResult& result)
      : options(options), result(result) {}

  // Reads the body and options.prior_items; fills the result's facts (client_model, stream,
  // store, responses_echo, conversation_items). False with the result's error set on refusal.
  bool read(json::element root);
  // Sorted, unique dropped field names into result.dropped_fields.
  void finish();

  bool fail(std::string message, std::string param, int status = 400);
  // Calls write(tool, param, group) for each function or custom tool in `tools`, in order; the
  // members of a `namespace` tool come with its name and description (`group`), since upstream
  // each is one flat function (see ToolName). False when `write` or a malformed namespace refused.
  template <typename Write>
  bool each_tool(Write&& write);
  // A field without an equivalent upstream: dropped and named, or refused, per the policy.
  bool no_equivalent(std::string name);
  // A field that needs state the server keeps between requests.
  bool needs_server_state(std::string name, std::string_view instead);

  const TranslateOptions& options;
  TranslateResult& result;

  std::string_view model, instructions, user, effort;
  json::array tools;
  json::element tool_choice, temperature, top_p;
  json::object text_format;  // valid when has_text_format
  std::string_view text_format_type;
  bool has_tools = false, has_tool_choice = false, has_temperature = false, has_top_p = false;
  bool has_text_format = false, parallel_tool_calls = true;
  int64_t max_output_tokens = 0;  // 0: not given
  Items items;

 private:
  bool read_field(std::string_view key, json::element value);
  bool read_sampling(std::string_view key, json::element value);
  bool read_reasoning(json::element value);
  bool read_text(json::element value);
  bool read_items_and_prior(json::element input, bool has_input);
  void write_conversation(json::element input, bool has_input, json::element prior,
                          const json::object* referenced);
  void echo(std::string_view key, json::element value);

  std::vector<std::string> dropped_;
  std::string echo_;  // a JSON object being built; its members become result.responses_echo
};

// A namespace tool a member belongs to; empty `name` for a tool outside any.
struct ToolGroup {
  std::string_view name, description;
};

template <typename Write>
bool Request::each_tool(Write&& write) {
  size_t i = 0;
  for (json::element t : tools) {
    const std::string param = "tools[" + std::to_string(i++) + "]";
    if (!json::is_object(t)) return fail("tools must be objects", param);
    const json::object tool = json::as_object(t);
    if (json::field_string(tool, "type") != "namespace") {
      if (!write(tool, param, ToolGroup{})) return false;
      continue;
    }
    const ToolGroup group{json::field_string(tool, "name"),
                          json::field_string(tool, "description")};
    if (!valid_tool_name_part(group.name)) {
      return fail("a namespace tool needs a 'name' of letters, digits, '_' and '-'",
                  param + ".name");
    }
    json::element members;
    if (!json::field(tool, "tools", members) || !json::is_array(members)) {
      return fail("a namespace tool needs a 'tools' array", param + ".tools");
    }
    size_t j = 0;
    for (json::element m : json::as_array(members)) {
      const std::string member_param = param + ".tools[" + std::to_string(j++) + "]";
      if (!json::is_object(m)) return fail("tools must be objects", member_param);
      if (!write(json::as_object(m), member_param, group)) return false;
    }
  }
  return true;
}

// The name a function or custom tool goes upstream under (a namespace member's is flat), with a
// custom tool listed in result.custom_tools and a member in result.namespaced_tools; "" after
// refusing the tool (the request's error is set): hosted and unknown types are never dropped.
std::string upstream_tool_of(Request& rq, json::object tool, const std::string& param,
                             const ToolGroup& group, bool& custom);
// Its description upstream: a namespace member's says which namespace it is part of.
std::string upstream_description_of(std::string_view description, const ToolGroup& group);

bool write_anthropic(Request& request);
bool write_chat(Request& request);

// The tool's description a custom (free-form) tool gets when sent as a function with one string
// parameter "input": its own description plus the grammar its input must follow, if any.
std::string custom_tool_description(json::object tool);
// The parameters schema of such a function.
constexpr std::string_view kCustomToolSchema =
    R"({"type":"object","properties":{"input":{"type":"string","description":"The raw input of the tool call."}},"required":["input"],"additionalProperties":false})";

// Budget of Anthropic extended thinking for a Responses reasoning effort; 0 = no thinking, -1 =
// an effort we do not know.
int64_t thinking_budget_for_effort(std::string_view effort);

}  // namespace ringgate::providers::responses
