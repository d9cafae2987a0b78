#include "tools/mock_upstream/responses_api.h"

#include <algorithm>
#include <ctime>
#include <string>

#include "tools/mock_upstream/json_text.h"
#include "tools/mock_upstream/mock_content.h"
#include "tools/mock_upstream/openai_api.h"

namespace ringgate::mock_upstream {
namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;

constexpr size_t kArgumentPieceBytes = 8;

struct FunctionCall {
  bool call = false;
  std::string name;
  std::string arguments;
};

// The last input item that is not a system or developer message is the user's (a string input
// is one user message), and no item is a function_call_output yet.
bool UserTurnWithoutToolResult(element input) {
  if (input.is_string()) return true;
  array items;
  if (input.get(items) != SUCCESS) return false;
  std::string_view last_role;
  for (element item : items) {
    std::string_view type, role;
    if (item["type"].get(type) == SUCCESS && type == "function_call_output") return false;
    if (item["role"].get(role) == SUCCESS) {
      if (role != "system" && role != "developer") last_role = role;
    } else if (type != "reasoning") {
      last_role = type;  // function_call, item_reference, ...: not the user's turn
    }
  }
  return last_role == "user";
}

// Responses function tools are flat: {"type":"function","name":..,"parameters":..}. Other tool
// kinds (web_search, custom, local_shell) are never called. The tool is tool_choice's, else
// --tool when offered, else the first function tool.
FunctionCall ChooseFunction(element body, element input, const MockOptions& options) {
  FunctionCall choice;
  array tools;
  if (body["tools"].get(tools) != SUCCESS) return choice;
  std::string_view mode;
  if (body["tool_choice"].get(mode) == SUCCESS && mode == "none") return choice;
  if (!UserTurnWithoutToolResult(input)) return choice;
  std::string_view wanted;
  if (body["tool_choice"]["name"].get(wanted) != SUCCESS) wanted = options.tool;
  element chosen;
  bool found = false;
  for (element tool : tools) {
    std::string_view type, name;
    if (tool["type"].get(type) != SUCCESS || type != "function") continue;
    if (tool["name"].get(name) != SUCCESS) continue;
    if (!found || (!wanted.empty() && name == wanted)) {
      chosen = tool;
      bool exact = !wanted.empty() && name == wanted;
      found = true;
      if (exact) break;
    }
  }
  if (!found) return choice;
  std::string_view name;
  chosen["name"].get(name);
  element schema;
  bool has_schema = chosen["parameters"].get(schema) == SUCCESS;
  choice.call = true;
  choice.name = std::string(name);
  choice.arguments = !options.tool_input.empty() && name == options.tool
                         ? options.tool_input
                         : ToolArguments(schema, has_schema);
  return choice;
}

// What one response says about itself, in the object `response.*` events and the body carry.
struct ResponseHead {
  std::string id;
  long created;
  std::string_view model;
  std::string_view previous_response_id;  // "" when the request named none
  int64_t max_output;
};

std::string ResponseObject(const ResponseHead& head, std::string_view status, bool truncated,
                           std::string_view output, std::string_view usage) {
  std::string out = "{\"id\":";
  AppendJsonString(out, head.id);
  out +=
      ",\"object\":\"response\",\"created_at\":" + std::to_string(head.created) + ",\"status\":\"";
  out += status;
  out += "\",\"error\":null,\"incomplete_details\":";
  out += truncated ? "{\"reason\":\"max_output_tokens\"}" : "null";
  out += ",\"instructions\":null,\"max_output_tokens\":";
  out += head.max_output >= 0 ? std::to_string(head.max_output) : "null";
  out += ",\"model\":";
  AppendJsonString(out, head.model);
  out += ",\"output\":";
  out += output;
  out += ",\"parallel_tool_calls\":true,\"previous_response_id\":";
  out += head.previous_response_id.empty() ? "null" : JsonString(head.previous_response_id);
  out += ",\"temperature\":1.0,\"top_p\":1.0,\"usage\":";
  out += usage;
  out += '}';
  return out;
}

std::string UsageJson(int input_tokens, int output_tokens) {
  return "{\"input_tokens\":" + std::to_string(input_tokens) +
         ",\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":" +
         std::to_string(output_tokens) +
         ",\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":" +
         std::to_string(input_tokens + output_tokens) + "}";
}

// Numbered `response.*` events of one stream.
class EventSequence {
 public:
  explicit EventSequence(ResponseBuilder& builder) : builder_(builder) {}
  void Add(std::string_view type, std::string_view fields, bool is_content = false) {
    std::string json = "{\"type\":\"";
    json += type;
    json += "\",\"sequence_number\":" + std::to_string(sequence_++);
    json += fields;
    json += '}';
    builder_.AddEvent(NamedSseEvent(type, json), is_content);
  }

 private:
  ResponseBuilder& builder_;
  int sequence_ = 0;
};

std::string TextPart(std::string_view text) {
  std::string json = "{\"type\":\"output_text\",\"text\":";
  AppendJsonString(json, text);
  json += ",\"annotations\":[]}";
  return json;
}

std::string MessageItem(std::string_view id, std::string_view status, std::string_view content) {
  std::string json = "{\"type\":\"message\",\"id\":";
  AppendJsonString(json, id);
  json += ",\"status\":\"";
  json += status;
  json += "\",\"role\":\"assistant\",\"content\":[";
  json += content;
  json += "]}";
  return json;
}

std::string FunctionCallItem(std::string_view id, std::string_view call_id,
                             const FunctionCall& call, std::string_view arguments,
                             std::string_view status) {
  std::string json = "{\"type\":\"function_call\",\"id\":";
  AppendJsonString(json, id);
  json += ",\"call_id\":";
  AppendJsonString(json, call_id);
  json += ",\"name\":";
  AppendJsonString(json, call.name);
  json += ",\"arguments\":";
  AppendJsonString(json, arguments);
  json += ",\"status\":\"";
  json += status;
  json += "\"}";
  return json;
}

void AddTextEvents(EventSequence& events, std::string_view item_id, int tokens,
                   std::string_view text, std::string_view status) {
  std::string where = ",\"item_id\":" + JsonString(item_id) + ",\"output_index\":0";
  events.Add("response.output_item.added",
             ",\"output_index\":0,\"item\":" + MessageItem(item_id, "in_progress", ""));
  events.Add("response.content_part.added",
             where + ",\"content_index\":0,\"part\":" + TextPart(""));
  for (int i = 0; i < tokens; ++i) {
    events.Add(
        "response.output_text.delta",
        where + ",\"content_index\":0,\"delta\":" + JsonString(MockToken(i)) + ",\"logprobs\":[]",
        true);
  }
  events.Add("response.output_text.done",
             where + ",\"content_index\":0,\"text\":" + JsonString(text) + ",\"logprobs\":[]");
  events.Add("response.content_part.done",
             where + ",\"content_index\":0,\"part\":" + TextPart(text));
  events.Add("response.output_item.done",
             ",\"output_index\":0,\"item\":" + MessageItem(item_id, status, TextPart(text)));
}

void AddFunctionCallEvents(EventSequence& events, std::string_view item_id,
                           std::string_view call_id, const FunctionCall& call) {
  std::string where = ",\"item_id\":" + JsonString(item_id) + ",\"output_index\":0";
  events.Add("response.output_item.added",
             ",\"output_index\":0,\"item\":" +
                 FunctionCallItem(item_id, call_id, call, "", "in_progress"));
  for (std::string_view piece : SplitText(call.arguments, kArgumentPieceBytes)) {
    events.Add("response.function_call_arguments.delta", where + ",\"delta\":" + JsonString(piece),
               true);
  }
  events.Add("response.function_call_arguments.done",
             where + ",\"name\":" + JsonString(call.name) +
                 ",\"arguments\":" + JsonString(call.arguments));
  events.Add("response.output_item.done",
             ",\"output_index\":0,\"item\":" +
                 FunctionCallItem(item_id, call_id, call, call.arguments, "completed"));
}

}  // namespace

ResponsePlan PlanResponse(const ApiRequest& r) {
  std::string_view model;
  if (r.body["model"].get(model) != SUCCESS || model.empty()) {
    return OpenAiBadRequest(r, "you must provide a model parameter");
  }
  element input;
  if (r.body["input"].get(input) != SUCCESS) return OpenAiBadRequest(r, "'input' is required");
  bool stream = false;
  ReadField(r.body["stream"], stream);
  ResponseHead head{NewId("resp_"), static_cast<long>(std::time(nullptr)), model, "",
                    RequestedMaxTokens(r.body, {"max_output_tokens"})};
  ReadField(r.body["previous_response_id"], head.previous_response_id);
  const FunctionCall call = ChooseFunction(r.body, input, r.options);
  const bool truncated = !call.call && head.max_output >= 0 && head.max_output < r.knobs.tokens;
  const int tokens = truncated ? static_cast<int>(head.max_output) : r.knobs.tokens;
  int input_tokens = EstimateTokens(input);
  element tools;
  if (r.body["tools"].get(tools) == SUCCESS) input_tokens += EstimateTokens(tools);
  input_tokens = std::max(input_tokens, 1);
  const int output_tokens =
      call.call ? std::max<int>(1, static_cast<int>(call.arguments.size() / 4)) : tokens;
  const std::string usage = r.knobs.usage ? UsageJson(input_tokens, output_tokens) : "null";
  const std::string item_id = NewId(call.call ? "fc_" : "msg_");
  const std::string call_id = call.call ? NewId("call_") : std::string();
  const std::string text = call.call ? std::string() : MockText(tokens);
  const char* status = truncated ? "incomplete" : "completed";
  const std::string full_item =
      call.call ? FunctionCallItem(item_id, call_id, call, call.arguments, "completed")
                : MessageItem(item_id, status, TextPart(text));
  const std::string final_object =
      ResponseObject(head, status, truncated, "[" + full_item + "]", usage);
  ResponseBuilder builder(r.knobs, r.close_after);
  if (!stream) {
    return builder.Body(200, "application/json", final_object, OpenAiHeaders(), true);
  }
  EventSequence events(builder);
  const std::string opening = ResponseObject(head, "in_progress", false, "[]", "null");
  events.Add("response.created", ",\"response\":" + opening);
  events.Add("response.in_progress", ",\"response\":" + opening);
  if (call.call) {
    AddFunctionCallEvents(events, item_id, call_id, call);
  } else {
    AddTextEvents(events, item_id, tokens, text, status);
  }
  events.Add(truncated ? "response.incomplete" : "response.completed",
             ",\"response\":" + final_object);
  std::string error_json =
      "{\"type\":\"error\",\"code\":\"server_error\",\"message\":\"mock injected mid-stream "
      "error\",\"param\":null}";
  return builder.Stream(OpenAiHeaders(), NamedSseEvent("error", error_json));
}

}  // namespace ringgate::mock_upstream
