#include "tools/mock_upstream/openai_api.h"

#include <algorithm>
#include <ctime>
#include <string>

#include "tools/mock_upstream/json_text.h"
#include "tools/mock_upstream/mock_content.h"
#include "tools/mock_upstream/tool_history_rules.h"

namespace ringgate::mock_upstream {
namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr size_t kArgumentPieceBytes = 8;

// `cached`: how many of the prompt tokens came from the prompt cache (x-mock-cached-tokens).
// `reasoning`: how many of the completion tokens were reasoning.
std::string UsageJson(int prompt, int completion, int cached = 0, int reasoning = 0) {
  return "{\"prompt_tokens\":" + std::to_string(prompt) +
         ",\"completion_tokens\":" + std::to_string(completion) +
         ",\"total_tokens\":" + std::to_string(prompt + completion) +
         ",\"prompt_tokens_details\":{\"cached_tokens\":" +
         std::to_string(std::min(cached, prompt)) +
         "},"
         "\"completion_tokens_details\":{\"reasoning_tokens\":" +
         std::to_string(reasoning) + "}}";
}

std::string SseData(std::string_view json) {
  std::string event = "data: ";
  event += json;
  event += "\n\n";
  return event;
}

std::string StreamErrorJson() {
  return ErrorBody(ApiShape::kOpenAI, 500, "mock injected mid-stream error");
}

// The output length: the mock's token count, capped by the request's own limit.
struct Length {
  int tokens;
  bool truncated;
};

Length OutputLength(const ApiRequest& r, std::initializer_list<const char*> max_fields) {
  int64_t requested = RequestedMaxTokens(r.body, max_fields);
  if (requested >= 0 && requested < r.knobs.tokens) return {static_cast<int>(requested), true};
  return {r.knobs.tokens, false};
}

struct ToolChoice {
  bool call = false;
  std::string name;
  std::string arguments;
};

// Calls a tool when tools are offered and allowed, the last turn is the user's, and no tool result
// is in the history yet: an agent's loop (Claude Code's) gets one call, then text. The tool is
// tool_choice's, else --tool when offered, else the first; its arguments --tool-input for --tool,
// else made up from its schema.
ToolChoice ChooseTool(element body, array messages, const MockOptions& options) {
  ToolChoice choice;
  array tools;
  if (body["tools"].get(tools) != SUCCESS || tools.size() == 0 || messages.size() == 0) {
    return choice;
  }
  std::string_view mode;
  if (body["tool_choice"].get(mode) == SUCCESS && mode == "none") return choice;
  // The last turn that is not a system message (Claude Code sends one after the user's).
  std::string_view role, last_role;
  for (element message : messages) {
    if (message["role"].get(role) == SUCCESS && role != "system" && role != "developer") {
      last_role = role;
    }
  }
  if (last_role != "user") return choice;
  for (element message : messages) {
    if (message["role"].get(role) == SUCCESS && role == "tool") return choice;
  }
  std::string_view wanted;
  if (body["tool_choice"]["function"]["name"].get(wanted) != SUCCESS) wanted = options.tool;
  element chosen = tools.at(0).value_unsafe();
  for (element tool : tools) {
    std::string_view name;
    if (!wanted.empty() && tool["function"]["name"].get(name) == SUCCESS && name == wanted) {
      chosen = tool;
      break;
    }
  }
  std::string_view name;
  if (chosen["function"]["name"].get(name) != SUCCESS) return choice;
  element schema;
  bool has_schema = chosen["function"]["parameters"].get(schema) == SUCCESS;
  choice.call = true;
  choice.name = std::string(name);
  choice.arguments = !options.tool_input.empty() && name == options.tool
                         ? options.tool_input
                         : ToolArguments(schema, has_schema);
  return choice;
}

bool RequireModel(const ApiRequest& r, std::string_view& model) {
  return r.body["model"].get(model) == SUCCESS && !model.empty();
}

}  // namespace

std::string OpenAiHeaders() { return "x-request-id: " + NewId("req_") + "\r\n"; }

ResponsePlan OpenAiBadRequest(const ApiRequest& r, std::string_view message) {
  return ResponseBuilder(r.knobs, r.close_after).Error(ApiShape::kOpenAI, 400, message, "");
}

ResponsePlan PlanChatCompletion(const ApiRequest& r) {
  std::string_view model;
  if (!RequireModel(r, model)) return OpenAiBadRequest(r, "you must provide a model parameter");
  array messages;
  if (r.body["messages"].get(messages) != SUCCESS) {
    return OpenAiBadRequest(r, "'messages' is a required property");
  }
  if (auto problem = OpenAiHistoryProblem(messages)) return OpenAiBadRequest(r, *problem);
  bool stream = false;
  ReadField(r.body["stream"], stream);
  bool include_usage = false;
  ReadField(r.body["stream_options"]["include_usage"], include_usage);
  Length length = OutputLength(r, {"max_completion_tokens", "max_tokens"});
  ToolChoice tool = ChooseTool(r.body, messages, r.options);
  // A reasoning request (DeepSeek, vLLM and OpenRouter style) reasons first, in
  // reasoning_content, counted in completion_tokens as OpenAI counts reasoning tokens.
  std::string_view effort;
  std::vector<std::string> reasoning;
  if (r.body["reasoning_effort"].get(effort) == SUCCESS) reasoning = MockReasoning(effort);
  std::string reasoning_text;
  for (const std::string& piece : reasoning) reasoning_text += piece;
  const int reasoning_tokens = static_cast<int>(reasoning.size());
  int prompt_tokens = EstimateTokens(messages);
  element tools;
  if (r.body["tools"].get(tools) == SUCCESS) prompt_tokens += EstimateTokens(tools);
  prompt_tokens = std::max(prompt_tokens, 1);
  int completion_tokens =
      (tool.call ? std::max<int>(1, static_cast<int>(tool.arguments.size() / 4)) : length.tokens) +
      reasoning_tokens;
  const char* finish = tool.call ? "tool_calls" : length.truncated ? "length" : "stop";
  std::string id = NewId("chatcmpl-");
  std::string call_id = tool.call ? NewId("call_") : std::string();
  long created = static_cast<long>(std::time(nullptr));
  ResponseBuilder builder(r.knobs, r.close_after);

  std::string prefix = "{\"id\":";
  AppendJsonString(prefix, id);
  prefix += stream ? ",\"object\":\"chat.completion.chunk\"" : ",\"object\":\"chat.completion\"";
  prefix += ",\"created\":" + std::to_string(created) + ",\"model\":";
  AppendJsonString(prefix, model);
  prefix += ",\"system_fingerprint\":\"fp_mock\",\"choices\":[";

  if (!stream) {
    std::string body = prefix + "{\"index\":0,\"message\":{\"role\":\"assistant\",";
    if (!reasoning.empty()) {
      body += "\"reasoning_content\":";
      AppendJsonString(body, reasoning_text);
      body += ',';
    }
    body += "\"content\":";
    if (tool.call) {
      body += "null,\"tool_calls\":[{\"id\":";
      AppendJsonString(body, call_id);
      body += ",\"type\":\"function\",\"function\":{\"name\":";
      AppendJsonString(body, tool.name);
      body += ",\"arguments\":";
      AppendJsonString(body, tool.arguments);
      body += "}}]";
    } else {
      AppendJsonString(body, MockText(length.tokens));
    }
    body += ",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"";
    body += finish;
    body += "\"}]";
    const std::string usage = r.knobs.usage ? UsageJson(prompt_tokens, completion_tokens,
                                                        r.knobs.cached_tokens, reasoning_tokens)
                                            : "";
    if (!usage.empty()) body += ",\"usage\":" + usage;
    body += '}';
    ResponsePlan plan = builder.Body(200, "application/json", body, OpenAiHeaders(), true);
    plan.reported_usage = usage;
    return plan;
  }

  std::string suffix = include_usage && r.knobs.usage ? "],\"usage\":null}" : "]}";
  auto chunk = [&](std::string_view choice) {
    std::string json = prefix;
    json += choice;
    json += suffix;
    return SseData(json);
  };
  constexpr std::string_view kOpen = "{\"index\":0,\"delta\":";
  constexpr std::string_view kClose = ",\"logprobs\":null,\"finish_reason\":null}";
  if (r.knobs.azure_first_chunk) {
    // Azure OpenAI's streams open with the prompt's content-filter verdict and no id yet.
    builder.AddEvent(
        SseData("{\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\","
                "\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":"
                "{\"hate\":{\"filtered\":false,\"severity\":\"safe\"},\"self_harm\":{"
                "\"filtered\":false,\"severity\":\"safe\"},\"sexual\":{\"filtered\":false,"
                "\"severity\":\"safe\"},\"violence\":{\"filtered\":false,\"severity\":"
                "\"safe\"}}}]}"),
        false);
  }
  if (!reasoning.empty()) {
    builder.AddEvent(chunk(std::string(kOpen) +
                           "{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"\"}" +
                           std::string(kClose)),
                     false);
    for (const std::string& piece : reasoning) {
      std::string delta(kOpen);
      delta += "{\"reasoning_content\":";
      AppendJsonString(delta, piece);
      delta += '}';
      delta += kClose;
      builder.AddEvent(chunk(delta), true);
    }
  }
  if (tool.call) {
    std::string first(kOpen);
    first += "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":";
    AppendJsonString(first, call_id);
    first += ",\"type\":\"function\",\"function\":{\"name\":";
    AppendJsonString(first, tool.name);
    first += ",\"arguments\":\"\"}}]}";
    first += kClose;
    builder.AddEvent(chunk(first), false);
    for (std::string_view piece : SplitText(tool.arguments, kArgumentPieceBytes)) {
      std::string delta(kOpen);
      delta += "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":";
      AppendJsonString(delta, piece);
      delta += "}}]}";
      delta += kClose;
      builder.AddEvent(chunk(delta), true);
    }
  } else {
    builder.AddEvent(
        chunk(std::string(kOpen) + "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}" +
              std::string(kClose)),
        false);
    for (int i = 0; i < length.tokens; ++i) {
      std::string delta(kOpen);
      delta += "{\"content\":";
      AppendJsonString(delta, MockToken(i));
      delta += '}';
      delta += kClose;
      builder.AddEvent(chunk(delta), true);
    }
  }
  builder.AddEvent(chunk("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"" +
                         std::string(finish) + "\"}"),
                   false);
  std::string usage;
  if (include_usage && r.knobs.usage) {
    usage = UsageJson(prompt_tokens, completion_tokens, r.knobs.cached_tokens, reasoning_tokens);
    builder.AddEvent(SseData(prefix + "],\"usage\":" + usage + "}"), false);
  }
  builder.AddEvent("data: [DONE]\n\n", false);
  ResponsePlan plan = builder.Stream(OpenAiHeaders(), SseData(StreamErrorJson()));
  plan.reported_usage = std::move(usage);
  return plan;
}

ResponsePlan PlanCompletion(const ApiRequest& r) {
  std::string_view model;
  if (!RequireModel(r, model)) return OpenAiBadRequest(r, "you must provide a model parameter");
  element prompt;
  if (r.body["prompt"].get(prompt) != SUCCESS) return OpenAiBadRequest(r, "'prompt' is required");
  bool stream = false;
  ReadField(r.body["stream"], stream);
  bool include_usage = false;
  ReadField(r.body["stream_options"]["include_usage"], include_usage);
  Length length = OutputLength(r, {"max_tokens"});
  int prompt_tokens = std::max(1, EstimateTokens(prompt));
  std::string id = NewId("cmpl-");
  long created = static_cast<long>(std::time(nullptr));
  std::string prefix = "{\"id\":";
  AppendJsonString(prefix, id);
  prefix +=
      ",\"object\":\"text_completion\",\"created\":" + std::to_string(created) + ",\"model\":";
  AppendJsonString(prefix, model);
  prefix += ",\"system_fingerprint\":\"fp_mock\",\"choices\":[";
  const char* finish = length.truncated ? "length" : "stop";
  ResponseBuilder builder(r.knobs, r.close_after);
  auto choice = [&](std::string_view text, const char* finish_reason) {
    std::string json = "{\"text\":";
    AppendJsonString(json, text);
    json += ",\"index\":0,\"logprobs\":null,\"finish_reason\":";
    if (finish_reason != nullptr) {
      json += '"';
      json += finish_reason;
      json += '"';
    } else {
      json += "null";
    }
    json += '}';
    return json;
  };
  if (!stream) {
    std::string body = prefix + choice(MockText(length.tokens), finish) + "]";
    if (r.knobs.usage) body += ",\"usage\":" + UsageJson(prompt_tokens, length.tokens);
    body += '}';
    return builder.Body(200, "application/json", body, OpenAiHeaders(), true);
  }
  for (int i = 0; i < length.tokens; ++i) {
    builder.AddEvent(SseData(prefix + choice(MockToken(i), nullptr) + "]}"), true);
  }
  builder.AddEvent(SseData(prefix + choice("", finish) + "]}"), false);
  if (include_usage && r.knobs.usage) {
    builder.AddEvent(
        SseData(prefix + "],\"usage\":" + UsageJson(prompt_tokens, length.tokens) + "}"), false);
  }
  builder.AddEvent("data: [DONE]\n\n", false);
  return builder.Stream(OpenAiHeaders(), SseData(StreamErrorJson()));
}

ResponsePlan PlanEmbeddings(const ApiRequest& r) {
  std::string_view model;
  if (!RequireModel(r, model)) return OpenAiBadRequest(r, "you must provide a model parameter");
  element input;
  if (r.body["input"].get(input) != SUCCESS)
    return OpenAiBadRequest(r, "'input' is a required property");
  int64_t dims = r.options.embedding_dim;
  if (r.body["dimensions"].get(dims) == SUCCESS && (dims < 1 || dims > 8192)) {
    return OpenAiBadRequest(r, "'dimensions' must be between 1 and 8192");
  }
  std::string_view format = "float";
  ReadField(r.body["encoding_format"], format);
  if (format != "float" && format != "base64") {
    return OpenAiBadRequest(r, "'encoding_format' must be 'float' or 'base64'");
  }
  // One string, a list of strings, a list of token ids, or a list of token id lists.
  std::vector<std::string> items;
  array list;
  if (input.get(list) == SUCCESS) {
    bool token_ids = list.size() > 0 && list.at(0).value_unsafe().is_number();
    if (token_ids) {
      items.push_back(simdjson::minify(input));
    } else {
      for (element item : list) {
        std::string_view text;
        items.push_back(item.get(text) == SUCCESS ? std::string(text) : simdjson::minify(item));
      }
    }
  } else {
    std::string_view text;
    if (input.get(text) != SUCCESS)
      return OpenAiBadRequest(r, "'input' must be a string or an array");
    items.emplace_back(text);
  }
  if (items.empty()) return OpenAiBadRequest(r, "'input' must not be empty");
  if (items.size() > 2048) return OpenAiBadRequest(r, "'input' has more than 2048 items");
  std::string body = "{\"object\":\"list\",\"data\":[";
  int tokens = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    tokens += std::max<int>(1, static_cast<int>((items[i].size() + 3) / 4));
    std::vector<float> vector = EmbeddingFor(items[i], static_cast<int>(dims));
    if (i) body += ',';
    body += "{\"object\":\"embedding\",\"index\":" + std::to_string(i) + ",\"embedding\":";
    if (format == "base64") {
      body += '"';
      body += Base64(std::string_view(reinterpret_cast<const char*>(vector.data()),
                                      vector.size() * sizeof(float)));
      body += '"';
    } else {
      body += '[';
      char number[32];
      for (size_t k = 0; k < vector.size(); ++k) {
        if (k) body += ',';
        int n = std::snprintf(number, sizeof(number), "%.9g", static_cast<double>(vector[k]));
        body.append(number, n);
      }
      body += ']';
    }
    body += '}';
  }
  body += "],\"model\":";
  AppendJsonString(body, model);
  if (r.knobs.usage) {
    body += ",\"usage\":{\"prompt_tokens\":" + std::to_string(tokens) +
            ",\"total_tokens\":" + std::to_string(tokens) + "}";
  }
  body += '}';
  return ResponseBuilder(r.knobs, r.close_after)
      .Body(200, "application/json", body, OpenAiHeaders(), true);
}

ResponsePlan PlanModels(const HttpRequest& http, const MockOptions& options,
                        const RequestKnobs& knobs, bool close_after, std::string_view model_id) {
  ResponseBuilder builder(knobs, close_after);
  bool anthropic = http.Find("anthropic-version") != nullptr;
  auto model_json = [&](std::string_view id) {
    std::string json;
    if (anthropic) {
      json = "{\"type\":\"model\",\"id\":";
      AppendJsonString(json, id);
      json += ",\"display_name\":";
      AppendJsonString(json, id);
      json += ",\"created_at\":\"2024-10-22T00:00:00Z\"}";
    } else {
      json = "{\"id\":";
      AppendJsonString(json, id);
      json += ",\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"ringgate-mock\"}";
    }
    return json;
  };
  ApiShape shape = anthropic ? ApiShape::kAnthropic : ApiShape::kOpenAI;
  if (!model_id.empty()) {
    for (const std::string& id : options.models) {
      if (id == model_id) {
        return builder.Body(200, "application/json", model_json(id), OpenAiHeaders(), true);
      }
    }
    return builder.Error(shape, 404, "The model '" + std::string(model_id) + "' does not exist",
                         OpenAiHeaders());
  }
  std::string body = anthropic ? "{\"data\":[" : "{\"object\":\"list\",\"data\":[";
  for (size_t i = 0; i < options.models.size(); ++i) {
    if (i) body += ',';
    body += model_json(options.models[i]);
  }
  body += ']';
  if (anthropic) {
    body += ",\"has_more\":false,\"first_id\":";
    body += options.models.empty() ? "null" : JsonString(options.models.front());
    body += ",\"last_id\":";
    body += options.models.empty() ? "null" : JsonString(options.models.back());
  }
  body += '}';
  return builder.Body(200, "application/json", body, OpenAiHeaders(), true);
}

}  // namespace ringgate::mock_upstream
