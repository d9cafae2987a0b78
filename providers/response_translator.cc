// Non-streaming response translation. Decisions:
// - Anthropic text blocks are concatenated into message.content, thinking blocks into
//   message.reasoning_content (the field DeepSeek, vLLM and others use); redacted_thinking is
//   opaque ciphertext and omitted. tool_use -> tool_calls with the input serialized as arguments.
//   A tool_use of the response_format tool (see request_translator.cc) becomes the content.
// - stop_reason: end_turn/stop_sequence/pause_turn -> stop, max_tokens and
//   model_context_window_exceeded -> length, tool_use -> tool_calls, refusal -> content_filter.
// - usage: prompt_tokens = input + cache reads + cache writes, cached_tokens = cache reads.
// - OpenAI -> Anthropic: reasoning_content (or `reasoning`) -> a thinking block with an empty
//   signature, content -> text block, refusal -> text block with stop_reason refusal, tool_calls ->
//   tool_use (arguments must parse to a JSON object, else 502: the client could not use it).
//   input_tokens = prompt_tokens - cached_tokens, cache_read_input_tokens = cached_tokens.
#include "providers/response_translator.h"

#include <ctime>

#include "providers/json_access.h"
#include "providers/json_writer.h"
#include "providers/tool_history_repair.h"

namespace ringgate::providers {
namespace {

using json::array;
using json::element;
using json::object;

void read_anthropic_usage(object usage, TokenUsage& u) {
  const int64_t input = json::field_integer(usage, "input_tokens");
  u.cached_tokens = json::field_integer(usage, "cache_read_input_tokens");
  u.cache_creation_tokens = json::field_integer(usage, "cache_creation_input_tokens");
  u.prompt_tokens = input + u.cached_tokens + u.cache_creation_tokens;
  u.completion_tokens = json::field_integer(usage, "output_tokens");
  u.seen = true;
}

void read_openai_usage(object usage, TokenUsage& u) {
  u.prompt_tokens = json::field_integer(usage, "prompt_tokens");
  u.completion_tokens = json::field_integer(usage, "completion_tokens");
  element details;
  if (json::field(usage, "prompt_tokens_details", details) && json::is_object(details)) {
    u.cached_tokens = json::field_integer(json::as_object(details), "cached_tokens");
  }
  u.seen = true;
}

}  // namespace

std::string_view finish_reason_for_stop_reason(std::string_view stop_reason) {
  if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") {
    return "length";
  }
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "refusal") return "content_filter";
  return "stop";
}

std::string_view stop_reason_for_finish_reason(std::string_view finish_reason) {
  if (finish_reason == "length") return "max_tokens";
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return "tool_use";
  if (finish_reason == "content_filter") return "refusal";
  return "end_turn";
}

TranslateResult anthropic_response_to_openai(std::string_view body,
                                             const ResponseOptions& options) {
  element root;
  if (!json::parse(json::ParserSlot::kDocument, body, root) || !json::is_object(root)) {
    return upstream_body_error("upstream returned a response that is not JSON");
  }
  object msg = json::as_object(root);
  element content_el;
  if (json::field_string(msg, "type") != "message" || !json::field(msg, "content", content_el) ||
      !json::is_array(content_el)) {
    return upstream_body_error("upstream returned a response that is not an Anthropic message");
  }
  array content = json::as_array(content_el);

  TranslateResult r;
  element usage;
  if (json::field(msg, "usage", usage) && json::is_object(usage)) {
    read_anthropic_usage(json::as_object(usage), r.usage);
  }
  JsonWriter w(r.body);
  w.begin_object();
  w.key("id").string(json::field_string(msg, "id"));
  w.key("object").string("chat.completion");
  w.key("created").integer(options.created ? options.created : int64_t(std::time(nullptr)));
  w.key("model").string(options.model.empty() ? json::field_string(msg, "model") : options.model);
  w.key("choices").begin_array().begin_object().key("index").integer(0);
  w.key("message").begin_object().key("role").string("assistant");

  size_t texts = 0, thinking = 0, calls = 0;
  bool format_tool_used = false;
  for (element b : content) {
    if (!json::is_object(b)) return upstream_body_error("upstream content block is not an object");
    const auto type = json::field_string(json::as_object(b), "type");
    if (type == "text") {
      ++texts;
    } else if (type == "thinking") {
      ++thinking;
    } else if (type == "tool_use") {
      if (!options.response_format_tool.empty() &&
          json::field_string(json::as_object(b), "name") == options.response_format_tool) {
        format_tool_used = true;
      } else {
        ++calls;
      }
    }
  }
  w.key("content");
  if (format_tool_used) {
    // The forced response_format tool: its input *is* the JSON answer.
    std::string answer;
    for (element b : content) {
      object block = json::as_object(b);
      element input;
      if (json::field_string(block, "type") == "tool_use" &&
          json::field_string(block, "name") == options.response_format_tool &&
          json::field(block, "input", input)) {
        JsonWriter(answer).element(input);
        break;
      }
    }
    w.string(answer);
  } else if (texts == 0) {
    w.null();
  } else {
    w.begin_string();
    for (element b : content) {
      object block = json::as_object(b);
      if (json::field_string(block, "type") == "text") {
        w.string_piece(json::field_string(block, "text"));
      }
    }
    w.end_string();
  }
  if (thinking > 0) {
    w.key("reasoning_content").begin_string();
    for (element b : content) {
      object block = json::as_object(b);
      if (json::field_string(block, "type") == "thinking") {
        w.string_piece(json::field_string(block, "thinking"));
      }
    }
    w.end_string();
  }
  if (calls > 0) {
    w.key("tool_calls").begin_array();
    std::string arguments;
    for (element b : content) {
      object block = json::as_object(b);
      if (json::field_string(block, "type") != "tool_use") continue;
      const auto name = json::field_string(block, "name");
      if (format_tool_used && name == options.response_format_tool) continue;
      element input;
      arguments.clear();
      if (json::field(block, "input", input)) {
        JsonWriter(arguments).element(input);
      } else {
        arguments = "{}";
      }
      MappedToolId mapped;
      w.begin_object().key("id").string(portable_tool_id(json::field_string(block, "id"), mapped));
      w.key("type").string("function").key("function").begin_object();
      w.key("name").string(name).key("arguments").string(arguments);
      w.end_object().end_object();
    }
    w.end_array();
  }
  w.key("refusal").null();
  w.end_object();  // message
  w.key("logprobs").null();
  std::string_view finish = finish_reason_for_stop_reason(json::field_string(msg, "stop_reason"));
  if (format_tool_used && finish == "tool_calls" && calls == 0) finish = "stop";
  w.key("finish_reason").string(finish);
  w.end_object().end_array();  // choices
  if (r.usage.seen) {
    w.key("usage").begin_object();
    w.key("prompt_tokens").integer(r.usage.prompt_tokens);
    w.key("completion_tokens").integer(r.usage.completion_tokens);
    w.key("total_tokens").integer(r.usage.prompt_tokens + r.usage.completion_tokens);
    w.key("prompt_tokens_details").begin_object();
    w.key("cached_tokens").integer(r.usage.cached_tokens).end_object();
    w.end_object();
  }
  w.end_object();
  r.ok = true;
  r.status = 200;
  return r;
}

TranslateResult openai_response_to_anthropic(std::string_view body,
                                             const ResponseOptions& options) {
  element root;
  if (!json::parse(json::ParserSlot::kDocument, body, root) || !json::is_object(root)) {
    return upstream_body_error("upstream returned a response that is not JSON");
  }
  object completion = json::as_object(root);
  element choices_el, choice_el, message_el;
  if (!json::field(completion, "choices", choices_el) || !json::is_array(choices_el) ||
      json::as_array(choices_el).at(0).get(choice_el) || !json::is_object(choice_el) ||
      !json::field(json::as_object(choice_el), "message", message_el) ||
      !json::is_object(message_el)) {
    return upstream_body_error("upstream returned a response without choices[0].message");
  }
  object choice = json::as_object(choice_el), message = json::as_object(message_el);

  TranslateResult r;
  element usage;
  if (json::field(completion, "usage", usage) && json::is_object(usage)) {
    read_openai_usage(json::as_object(usage), r.usage);
  }
  JsonWriter w(r.body);
  w.begin_object();
  w.key("id").string(json::field_string(completion, "id"));
  w.key("type").string("message").key("role").string("assistant");
  w.key("model").string(options.model.empty() ? json::field_string(completion, "model")
                                              : options.model);
  w.key("content").begin_array();
  std::string_view reasoning = json::field_string(message, "reasoning_content");
  if (reasoning.empty()) reasoning = json::field_string(message, "reasoning");
  if (!reasoning.empty()) {
    w.begin_object().key("type").string("thinking").key("thinking").string(reasoning);
    w.key("signature").string("").end_object();
  }
  element content;
  if (json::field(message, "content", content)) {
    if (json::is_string(content)) {
      if (!json::str(content).empty()) {
        w.begin_object().key("type").string("text").key("text").string(json::str(content));
        w.end_object();
      }
    } else if (json::is_array(content)) {
      for (element p : json::as_array(content)) {
        if (!json::is_object(p)) continue;
        const auto text = json::field_string(json::as_object(p), "text");
        if (!text.empty())
          w.begin_object().key("type").string("text").key("text").string(text).end_object();
      }
    }
  }
  const auto refusal = json::field_string(message, "refusal");
  if (!refusal.empty()) {
    w.begin_object().key("type").string("text").key("text").string(refusal).end_object();
  }
  element calls;
  if (json::field(message, "tool_calls", calls) && json::is_array(calls)) {
    size_t index = 0;
    std::string synthetic_id;
    for (element c : json::as_array(calls)) {
      if (!json::is_object(c)) return upstream_body_error("upstream tool call is not an object");
      object call = json::as_object(c);
      element fn_el;
      if (!json::field(call, "function", fn_el) || !json::is_object(fn_el)) {
        return upstream_body_error("upstream tool call has no function");
      }
      object fn = json::as_object(fn_el);
      w.begin_object().key("type").string("tool_use");
      // Ids the client keeps in its history: portable ones (tool_history_repair.h), and a stable
      // synthetic one where a server sent none, as the stream translator does.
      std::string_view id = json::field_string(call, "id");
      if (id.empty()) {
        synthetic_id =
            "toolu_" + std::string(json::field_string(completion, "id")) + std::to_string(index);
        id = synthetic_id;
      }
      ++index;
      MappedToolId mapped;
      w.key("id").string(portable_tool_id(id, mapped));
      w.key("name").string(json::field_string(fn, "name")).key("input");
      const auto arguments = json::field_string(fn, "arguments");
      element input;
      if (arguments.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        w.begin_object().end_object();
      } else if (!json::parse(json::ParserSlot::kNested, arguments, input) ||
                 !json::is_object(input)) {
        return upstream_body_error("upstream tool call arguments are not a JSON object");
      } else {
        w.element(input);
      }
      w.end_object();
    }
  }
  w.end_array();
  std::string_view stop =
      stop_reason_for_finish_reason(json::field_string(choice, "finish_reason"));
  if (!refusal.empty()) stop = "refusal";
  w.key("stop_reason").string(stop).key("stop_sequence").null();
  w.key("usage").begin_object();
  w.key("input_tokens").integer(r.usage.prompt_tokens - r.usage.cached_tokens);
  w.key("cache_creation_input_tokens").integer(0);
  w.key("cache_read_input_tokens").integer(r.usage.cached_tokens);
  w.key("output_tokens").integer(r.usage.completion_tokens);
  w.end_object();
  w.end_object();
  r.ok = true;
  r.status = 200;
  return r;
}

}  // namespace ringgate::providers
