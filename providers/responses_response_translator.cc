// Non-streaming response translation toward the Responses API. Decisions:
// - Anthropic content blocks -> output items in order: consecutive text blocks -> one message
//   item; thinking -> a reasoning item (summary = the thinking text, encrypted_content = its
//   signature); redacted_thinking -> a reasoning item with an empty summary and encrypted_content
//   "redacted:" + data (the request translator turns both back into blocks); tool_use -> a
//   function_call (arguments = the input serialized), or a custom_tool_call (input = the
//   argument object's "input") for the names in custom_tools; the response_format tool's input
//   -> a message whose text is that JSON (see response_format_tool.h).
// - chat: reasoning_content (or `reasoning`) -> a reasoning item without encrypted_content,
//   content -> a message, refusal -> a message with a refusal part, tool_calls -> function or
//   custom tool calls.
// - status: Anthropic max_tokens / model_context_window_exceeded and chat length -> incomplete
//   (max_output_tokens); Anthropic refusal and chat content_filter -> incomplete
//   (content_filter), the text so far kept; everything else -> completed.
#include "providers/responses_response_translator.h"

#include <ctime>

#include "providers/json_access.h"
#include "providers/json_writer.h"
#include "providers/responses_object.h"

namespace ringgate::providers {
namespace {

using json::array;
using json::element;
using json::object;

// Builds the output array item by item, numbering the items.
class OutputItems {
 public:
  OutputItems(std::string& out, std::string_view response_id, const ResponseOptions& options)
      : w_(out),
        id_(response_id),
        custom_tools_(options.custom_tools),
        namespaced_tools_(options.namespaced_tools) {
    w_.begin_array();
  }
  // `status`: the trailing message's, "incomplete" when the answer was cut short.
  void finish(std::string_view status) {
    flush_text(status);
    w_.end_array();
  }

  void text(std::string_view t) {
    text_ += t;
    has_text_ = true;
  }
  void refusal(std::string_view t) {
    flush_text();
    const std::string id = next_id("msg");
    w_.begin_object().key("id").string(id).key("type").string("message");
    w_.key("status").string("completed").key("role").string("assistant");
    w_.key("content").begin_array().begin_object().key("type").string("refusal");
    w_.key("refusal").string(t).end_object().end_array().end_object();
  }
  void reasoning(std::string_view summary, std::string_view encrypted) {
    flush_text();
    write_reasoning_item(w_, next_id("rs"), summary, encrypted);
  }
  // `arguments`: the call's argument object as JSON text.
  void call(std::string_view call_id, std::string_view name, std::string_view arguments) {
    flush_text();
    const ToolName client_name = client_tool_name(namespaced_tools_, name);
    if (!is_custom_tool(custom_tools_, name)) {
      write_function_call_item(w_, next_id("fc"), call_id, client_name, arguments);
      return;
    }
    // A custom tool travelled as a function with one string argument "input".
    element parsed, input;
    std::string_view text = arguments;
    if (json::parse(json::ParserSlot::kNested, arguments, parsed) && json::is_object(parsed) &&
        json::field(json::as_object(parsed), "input", input) && json::is_string(input)) {
      text = json::str(input);
    }
    write_custom_tool_call_item(w_, next_id("ctc"), call_id, client_name, text);
  }

 private:
  void flush_text(std::string_view status = "completed") {
    if (!has_text_) return;
    write_message_item(w_, next_id("msg"), text_, status);
    text_.clear();
    has_text_ = false;
  }
  std::string next_id(std::string_view prefix) { return responses_item_id(prefix, id_, index_++); }

  JsonWriter w_;
  std::string_view id_, custom_tools_, namespaced_tools_;
  size_t index_ = 0;
  std::string text_;
  bool has_text_ = false;
};

std::string response_id(const ResponseOptions& options, std::string_view upstream_id) {
  if (!options.id.empty()) return options.id;
  return "resp_" + std::string(upstream_id);
}

void finish(TranslateResult& r, const ResponseOptions& options, std::string_view id,
            std::string_view model, ResponsesStatus status, int64_t reasoning_tokens) {
  ResponsesEnvelope e;
  e.id = id;
  e.created_at = options.created ? options.created : int64_t(std::time(nullptr));
  e.status = status.status;
  e.incomplete_reason = status.incomplete_reason;
  e.model = options.model.empty() ? model : std::string_view(options.model);
  e.echo = options.responses_echo;
  e.output = r.output_items;
  e.usage = &r.usage;
  e.reasoning_tokens = reasoning_tokens;
  r.body.reserve(r.output_items.size() + options.responses_echo.size() + 512);
  JsonWriter w(r.body);
  write_responses_object(w, e);
  r.ok = true;
  r.status = 200;
}

// Anthropic content blocks -> output items. False when a block is not an object.
bool anthropic_items(array content, const ResponseOptions& options, OutputItems& out) {
  std::string arguments;
  for (element b : content) {
    if (!json::is_object(b)) return false;
    object block = json::as_object(b);
    const auto type = json::field_string(block, "type");
    if (type == "text") {
      out.text(json::field_string(block, "text"));
    } else if (type == "thinking") {
      out.reasoning(json::field_string(block, "thinking"), json::field_string(block, "signature"));
    } else if (type == "redacted_thinking") {
      out.reasoning({}, "redacted:" + std::string(json::field_string(block, "data")));
    } else if (type == "tool_use") {
      element input;
      arguments.clear();
      if (json::field(block, "input", input)) {
        JsonWriter(arguments).element(input);
      } else {
        arguments = "{}";
      }
      const auto name = json::field_string(block, "name");
      if (!options.response_format_tool.empty() && name == options.response_format_tool) {
        out.text(arguments);  // the forced answer-format tool: its input is the answer
      } else {
        out.call(json::field_string(block, "id"), name, arguments);
      }
    }
  }
  return true;
}

}  // namespace

ResponsesStatus responses_status_for_stop_reason(std::string_view stop_reason) {
  if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") {
    return {"incomplete", "max_output_tokens"};
  }
  if (stop_reason == "refusal") return {"incomplete", "content_filter"};
  return {"completed", {}};
}

ResponsesStatus responses_status_for_finish_reason(std::string_view finish_reason) {
  if (finish_reason == "length") return {"incomplete", "max_output_tokens"};
  if (finish_reason == "content_filter") return {"incomplete", "content_filter"};
  return {"completed", {}};
}

TranslateResult anthropic_response_to_responses(std::string_view body,
                                                const ResponseOptions& options) {
  element root, content;
  if (!json::parse(json::ParserSlot::kDocument, body, root) || !json::is_object(root)) {
    return upstream_body_error("upstream returned a response that is not JSON");
  }
  object msg = json::as_object(root);
  if (json::field_string(msg, "type") != "message" || !json::field(msg, "content", content) ||
      !json::is_array(content)) {
    return upstream_body_error("upstream returned a response that is not an Anthropic message");
  }
  TranslateResult r;
  const std::string id = response_id(options, json::field_string(msg, "id"));
  OutputItems out(r.output_items, id, options);
  if (!anthropic_items(json::as_array(content), options, out)) {
    return upstream_body_error("upstream content block is not an object");
  }
  const ResponsesStatus status =
      responses_status_for_stop_reason(json::field_string(msg, "stop_reason"));
  out.finish(status.status);
  element usage;
  if (json::field(msg, "usage", usage) && json::is_object(usage)) {
    object u = json::as_object(usage);
    r.usage.cached_tokens = json::field_integer(u, "cache_read_input_tokens");
    r.usage.cache_creation_tokens = json::field_integer(u, "cache_creation_input_tokens");
    r.usage.prompt_tokens = json::field_integer(u, "input_tokens") + r.usage.cached_tokens +
                            r.usage.cache_creation_tokens;
    r.usage.completion_tokens = json::field_integer(u, "output_tokens");
    r.usage.seen = true;
  }
  finish(r, options, id, json::field_string(msg, "model"), status, 0);
  return r;
}

namespace {

// chat message -> output items. False when a tool call is malformed.
bool chat_items(object message, OutputItems& out) {
  std::string_view reasoning = json::field_string(message, "reasoning_content");
  if (reasoning.empty()) reasoning = json::field_string(message, "reasoning");
  if (!reasoning.empty()) out.reasoning(reasoning, {});
  element content;
  if (json::field(message, "content", content)) {
    if (json::is_string(content)) {
      if (!json::str(content).empty()) out.text(json::str(content));
    } else if (json::is_array(content)) {
      for (element p : json::as_array(content)) {
        if (json::is_object(p)) out.text(json::field_string(json::as_object(p), "text"));
      }
    }
  }
  if (const auto refusal = json::field_string(message, "refusal"); !refusal.empty()) {
    out.refusal(refusal);
  }
  element calls;
  if (!json::field(message, "tool_calls", calls) || !json::is_array(calls)) return true;
  for (element c : json::as_array(calls)) {
    element fn;
    if (!json::is_object(c) || !json::field(json::as_object(c), "function", fn) ||
        !json::is_object(fn)) {
      return false;
    }
    object f = json::as_object(fn);
    std::string_view arguments = json::field_string(f, "arguments");
    if (arguments.find_first_not_of(" \t\r\n") == std::string_view::npos) arguments = "{}";
    out.call(json::field_string(json::as_object(c), "id"), json::field_string(f, "name"),
             arguments);
  }
  return true;
}

}  // namespace

TranslateResult chat_response_to_responses(std::string_view body, const ResponseOptions& options) {
  element root, choices, choice, message;
  if (!json::parse(json::ParserSlot::kDocument, body, root) || !json::is_object(root)) {
    return upstream_body_error("upstream returned a response that is not JSON");
  }
  object completion = json::as_object(root);
  if (!json::field(completion, "choices", choices) || !json::is_array(choices) ||
      json::as_array(choices).at(0).get(choice) || !json::is_object(choice) ||
      !json::field(json::as_object(choice), "message", message) || !json::is_object(message)) {
    return upstream_body_error("upstream returned a response without choices[0].message");
  }
  TranslateResult r;
  const std::string id = response_id(options, json::field_string(completion, "id"));
  OutputItems out(r.output_items, id, options);
  if (!chat_items(json::as_object(message), out)) {
    return upstream_body_error("upstream tool call has no function");
  }
  const ResponsesStatus status = responses_status_for_finish_reason(
      json::field_string(json::as_object(choice), "finish_reason"));
  out.finish(status.status);
  element usage, details;
  int64_t reasoning_tokens = 0;
  if (json::field(completion, "usage", usage) && json::is_object(usage)) {
    object u = json::as_object(usage);
    r.usage.prompt_tokens = json::field_integer(u, "prompt_tokens");
    r.usage.completion_tokens = json::field_integer(u, "completion_tokens");
    if (json::field(u, "prompt_tokens_details", details) && json::is_object(details)) {
      r.usage.cached_tokens = json::field_integer(json::as_object(details), "cached_tokens");
    }
    if (json::field(u, "completion_tokens_details", details) && json::is_object(details)) {
      reasoning_tokens = json::field_integer(json::as_object(details), "reasoning_tokens");
    }
    r.usage.seen = true;
  }
  finish(r, options, id, json::field_string(completion, "model"), status, reasoning_tokens);
  return r;
}

}  // namespace ringgate::providers
