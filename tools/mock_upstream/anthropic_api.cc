#include "tools/mock_upstream/anthropic_api.h"

#include <string>
#include <vector>

#include "tools/mock_upstream/json_text.h"
#include "tools/mock_upstream/mock_content.h"
#include "tools/mock_upstream/tool_history_rules.h"

namespace ringgate::mock_upstream {
namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;

constexpr size_t kPartialJsonBytes = 8;

std::string AnthropicHeaders() { return "request-id: " + NewId("req_") + "\r\n"; }

ResponsePlan BadRequest(const ApiRequest& r, std::string_view message) {
  return ResponseBuilder(r.knobs, r.close_after).Error(ApiShape::kAnthropic, 400, message, "");
}

struct ToolUse {
  bool call = false;
  std::string name;
  std::string input;
};

// Tools on offer, the user's turn last and no tool_result anywhere in the history yet: answer
// with tool_use (an agent's loop gets one call, then text). The tool is tool_choice's, else
// --tool when offered, else the first; its input --tool-input for --tool, else made up from its
// schema.
ToolUse ChooseTool(element body, array messages, const MockOptions& options) {
  ToolUse use;
  array tools;
  if (body["tools"].get(tools) != SUCCESS || tools.size() == 0 || messages.size() == 0) return use;
  std::string_view mode;
  if (body["tool_choice"]["type"].get(mode) == SUCCESS && mode == "none") return use;
  // The last turn that is not a system message (Claude Code sends one after the user's).
  std::string_view role, last_role;
  for (element message : messages) {
    if (message["role"].get(role) == SUCCESS && role != "system") last_role = role;
  }
  if (last_role != "user") return use;
  for (element message : messages) {
    array blocks;
    if (message["content"].get(blocks) != SUCCESS) continue;
    for (element block : blocks) {
      std::string_view type;
      if (block["type"].get(type) == SUCCESS && type == "tool_result") return use;
    }
  }
  std::string_view wanted;
  if (mode != "tool" || body["tool_choice"]["name"].get(wanted) != SUCCESS) wanted = options.tool;
  element chosen = tools.at(0).value_unsafe();
  for (element tool : tools) {
    std::string_view name;
    if (!wanted.empty() && tool["name"].get(name) == SUCCESS && name == wanted) {
      chosen = tool;
      break;
    }
  }
  std::string_view name;
  if (chosen["name"].get(name) != SUCCESS) return use;
  element schema;
  bool has_schema = chosen["input_schema"].get(schema) == SUCCESS;
  use.call = true;
  use.name = std::string(name);
  use.input = !options.tool_input.empty() && name == options.tool
                  ? options.tool_input
                  : ToolArguments(schema, has_schema);
  return use;
}

// thinking enabled or adaptive: the answer starts with a thinking block ("adaptive" or "budget"
// stands in for the effort in its text).
std::vector<std::string> Thinking(element body) {
  std::string_view type;
  if (body["thinking"]["type"].get(type) != SUCCESS) return {};
  if (type == "adaptive") return MockReasoning("adaptive");
  if (type == "enabled") return MockReasoning("budget");
  return {};
}

int InputTokens(element body, array messages) {
  int tokens = EstimateTokens(messages);
  element extra;
  if (body["system"].get(extra) == SUCCESS) tokens += EstimateTokens(extra);
  if (body["tools"].get(extra) == SUCCESS) tokens += EstimateTokens(extra);
  return std::max(tokens, 1);
}

}  // namespace

ResponsePlan PlanMessages(const ApiRequest& r) {
  std::string_view model;
  if (r.body["model"].get(model) != SUCCESS || model.empty()) {
    return BadRequest(r, "model: Field required");
  }
  array messages;
  if (r.body["messages"].get(messages) != SUCCESS) {
    return BadRequest(r, "messages: Field required");
  }
  // A thread that continues names a history the server holds; the mock holds none, so the turn's
  // own messages cannot be checked against it.
  std::string_view thread;
  const bool continues = r.body["thread"]["type"].get(thread) == SUCCESS && thread == "continue";
  if (!continues) {
    if (auto problem = AnthropicHistoryProblem(messages)) return BadRequest(r, *problem);
  }
  bool stream = false;
  ReadField(r.body["stream"], stream);
  int64_t requested = RequestedMaxTokens(r.body, {"max_tokens"});
  bool truncated = requested >= 0 && requested < r.knobs.tokens;
  int tokens = truncated ? static_cast<int>(requested) : r.knobs.tokens;
  ToolUse tool = ChooseTool(r.body, messages, r.options);
  const std::vector<std::string> thinking = Thinking(r.body);
  std::string thinking_text;
  for (const std::string& piece : thinking) thinking_text += piece;
  // Opaque to clients, as Anthropic's are; they only send it back.
  const std::string signature = thinking.empty() ? std::string() : NewId("mocksig_");
  int input_tokens = InputTokens(r.body, messages);
  int output_tokens =
      (tool.call ? std::max<int>(1, static_cast<int>(tool.input.size() / 4)) : tokens) +
      static_cast<int>(thinking.size());
  const char* stop_reason = tool.call ? "tool_use" : truncated ? "max_tokens" : "end_turn";
  std::string id = NewId("msg_");
  std::string tool_id = tool.call ? NewId("toolu_") : std::string();
  ResponseBuilder builder(r.knobs, r.close_after);

  auto usage = [&](int in, int out) {
    return "{\"input_tokens\":" + std::to_string(in) +
           ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":" +
           std::to_string(r.knobs.cached_tokens) + ",\"output_tokens\":" + std::to_string(out) +
           "}";
  };
  auto message = [&](std::string_view content, const char* stop, int out_tokens) {
    std::string json = "{\"id\":";
    AppendJsonString(json, id);
    json += ",\"type\":\"message\",\"role\":\"assistant\",\"model\":";
    AppendJsonString(json, model);
    json += ",\"content\":[";
    json += content;
    json += "],\"stop_reason\":";
    if (stop != nullptr) {
      json += '"';
      json += stop;
      json += '"';
    } else {
      json += "null";
    }
    json += ",\"stop_sequence\":null";
    if (r.knobs.usage) json += ",\"usage\":" + usage(input_tokens, out_tokens);
    json += '}';
    return json;
  };
  auto tool_block = [&](std::string_view input) {
    std::string json = "{\"type\":\"tool_use\",\"id\":";
    AppendJsonString(json, tool_id);
    json += ",\"name\":";
    AppendJsonString(json, tool.name);
    json += ",\"input\":";
    json += input;
    json += '}';
    return json;
  };

  auto thinking_block = [&](std::string_view text, std::string_view sig) {
    return "{\"type\":\"thinking\",\"thinking\":" + JsonString(text) +
           ",\"signature\":" + JsonString(sig) + "}";
  };

  if (!stream) {
    std::string content;
    if (!thinking.empty()) content = thinking_block(thinking_text, signature) + ",";
    if (tool.call) {
      content += tool_block(tool.input);
    } else {
      content += "{\"type\":\"text\",\"text\":" + JsonString(MockText(tokens)) + "}";
    }
    ResponsePlan plan =
        builder.Body(200, "application/json", message(content, stop_reason, output_tokens),
                     AnthropicHeaders(), true);
    if (r.knobs.usage) plan.reported_usage = usage(input_tokens, output_tokens);
    return plan;
  }

  builder.AddEvent(NamedSseEvent("message_start", "{\"type\":\"message_start\",\"message\":" +
                                                      message("", nullptr, 1) + "}"),
                   false);
  // The answer's block follows the thinking block, if any.
  const std::string index = thinking.empty() ? "0" : "1";
  auto delta_at = [&](std::string_view at, std::string_view delta_json) {
    return NamedSseEvent("content_block_delta",
                         "{\"type\":\"content_block_delta\",\"index\":" + std::string(at) +
                             ",\"delta\":" + std::string(delta_json) + "}");
  };
  auto delta = [&](std::string_view delta_json) { return delta_at(index, delta_json); };
  if (!thinking.empty()) {
    builder.AddEvent(
        NamedSseEvent("content_block_start",
                      "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":" +
                          thinking_block("", "") + "}"),
        false);
    for (const std::string& piece : thinking) {
      builder.AddEvent(
          delta_at("0", "{\"type\":\"thinking_delta\",\"thinking\":" + JsonString(piece) + "}"),
          true);
    }
    builder.AddEvent(
        delta_at("0", "{\"type\":\"signature_delta\",\"signature\":" + JsonString(signature) + "}"),
        false);
    builder.AddEvent(
        NamedSseEvent("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
        false);
  }
  std::string start_block = tool.call ? tool_block("{}") : "{\"type\":\"text\",\"text\":\"\"}";
  builder.AddEvent(
      NamedSseEvent("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index +
                                               ",\"content_block\":" + start_block + "}"),
      false);
  builder.AddEvent(NamedSseEvent("ping", "{\"type\":\"ping\"}"), false);
  if (tool.call) {
    for (std::string_view piece : SplitText(tool.input, kPartialJsonBytes)) {
      builder.AddEvent(
          delta("{\"type\":\"input_json_delta\",\"partial_json\":" + JsonString(piece) + "}"),
          true);
    }
  } else {
    for (int i = 0; i < tokens; ++i) {
      builder.AddEvent(delta("{\"type\":\"text_delta\",\"text\":" + JsonString(MockToken(i)) + "}"),
                       true);
    }
  }
  builder.AddEvent(NamedSseEvent("content_block_stop",
                                 "{\"type\":\"content_block_stop\",\"index\":" + index + "}"),
                   false);
  std::string message_delta = "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" +
                              std::string(stop_reason) + "\",\"stop_sequence\":null}";
  if (r.knobs.usage)
    message_delta += ",\"usage\":{\"output_tokens\":" + std::to_string(output_tokens) + "}";
  message_delta += '}';
  builder.AddEvent(NamedSseEvent("message_delta", message_delta), false);
  builder.AddEvent(NamedSseEvent("message_stop", "{\"type\":\"message_stop\"}"), false);
  ResponsePlan plan =
      builder.Stream(AnthropicHeaders(),
                     NamedSseEvent("error",
                                   "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                                   "\"message\":\"Overloaded\"}}"));
  if (r.knobs.usage) plan.reported_usage = usage(input_tokens, output_tokens);
  return plan;
}

ResponsePlan PlanCountTokens(const ApiRequest& r) {
  array messages;
  if (r.body["messages"].get(messages) != SUCCESS) {
    return BadRequest(r, "messages: Field required");
  }
  std::string body = "{\"input_tokens\":" + std::to_string(InputTokens(r.body, messages)) + "}";
  return ResponseBuilder(r.knobs, r.close_after)
      .Body(200, "application/json", body, AnthropicHeaders(), true);
}

}  // namespace ringgate::mock_upstream
