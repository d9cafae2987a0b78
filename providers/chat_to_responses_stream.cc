// Chat chunks -> Responses events. Decisions:
// - Only choice index 0 is translated (the request side never asks for n > 1).
// - Items follow the order the upstream starts them: reasoning (`reasoning_content`, or
//   `reasoning` as OpenRouter and some vLLM versions name it), then the message text, then tool
//   calls. Text or reasoning that starts closes the other one; a tool call closes both, so text
//   before tool calls is its own message item and text after them a new one.
// - Tool calls: one item per tool_calls[].index, open until the finish_reason since parallel
//   calls interleave their fragments. call_id = the id of the index's first fragment (a server
//   that sends none gets "call_" + the item id, see ResponsesEventWriter::open_item). A name in
//   options.custom_tools makes a custom_tool_call whose input is decoded from the held {"input":
//   "..."} arguments.
// - finish_reason closes every open item in order; stop / tool_calls complete, length is
//   incomplete (max_output_tokens), content_filter incomplete (content_filter), and then the
//   message item still open is "incomplete" too. The response
//   event waits for [DONE] because usage comes in a chunk of its own after the finish_reason.
// - [DONE] ends the response even without a finish_reason (every server sends one first).
// - `error` in a chunk -> error event and response.failed.
#include "providers/chat_to_responses_stream.h"

#include "providers/json_access.h"
#include "providers/responses_object.h"

namespace ringgate::providers {

using json::element;
using json::object;

ChatToResponsesStream::ChatToResponsesStream(StreamOptions options)
    : options_(std::move(options)), events_(options_) {}

void ChatToResponsesStream::on_event(std::string_view, std::string_view data, std::string& out) {
  if (done()) return;
  if (data == "[DONE]") {
    complete(out);
    return;
  }
  element root;
  if (!json::parse(json::ParserSlot::kDocument, data, root) || !json::is_object(root)) {
    events_.fail(out, "server_error", "upstream sent an unreadable stream event");
    return;
  }
  on_chunk(out, json::as_object(root));
}

void ChatToResponsesStream::on_chunk(std::string& out, object chunk) {
  element e;
  if (json::field(chunk, "error", e)) {
    std::string_view code = "server_error", message = "upstream stream failed";
    if (json::is_object(e)) {
      object err = json::as_object(e);
      if (auto m = json::field_string(err, "message"); !m.empty()) message = m;
      if (auto t = json::field_string(err, "type"); !t.empty()) code = t;
    }
    events_.fail(out, code, message);
    return;
  }
  events_.set_upstream_model(json::field_string(chunk, "model"));
  events_.start(out);
  if (json::field(chunk, "usage", e) && json::is_object(e)) read_usage(json::as_object(e));
  element choices, delta;
  if (!json::field(chunk, "choices", choices) || !json::is_array(choices)) return;
  for (element choice_el : json::as_array(choices)) {
    if (!json::is_object(choice_el)) continue;
    object choice = json::as_object(choice_el);
    if (json::field_integer(choice, "index") != 0) continue;
    if (!finish_reason_.empty()) return;  // the answer is over; only usage may follow
    if (json::field(choice, "delta", delta) && json::is_object(delta)) {
      on_delta(out, json::as_object(delta));
    }
    on_finish_reason(out, json::field_string(choice, "finish_reason"));
  }
}

void ChatToResponsesStream::on_delta(std::string& out, object delta) {
  std::string_view reasoning = json::field_string(delta, "reasoning_content");
  if (reasoning.empty()) reasoning = json::field_string(delta, "reasoning");
  if (!reasoning.empty()) {
    if (!events_.is_open(reasoning_item_)) {
      close_text_items(out);
      reasoning_item_ = events_.open_item(out, ResponsesItemKind::kReasoning);
    }
    events_.delta(out, reasoning_item_, reasoning);
  }
  if (auto text = json::field_string(delta, "content"); !text.empty()) {
    if (!events_.is_open(message_item_) || !tool_items_.empty()) {
      close_text_items(out);
      for (const auto& open_call : tool_items_) events_.close_item(out, open_call.second);
      tool_items_.clear();
      message_item_ = events_.open_item(out, ResponsesItemKind::kMessage);
    }
    events_.delta(out, message_item_, text);
  }
  element calls;
  if (json::field(delta, "tool_calls", calls) && json::is_array(calls)) {
    for (element call : json::as_array(calls)) {
      if (json::is_object(call)) on_tool_call(out, json::as_object(call));
    }
  }
}

void ChatToResponsesStream::on_tool_call(std::string& out, object call) {
  const int64_t index = json::field_integer(call, "index");
  // A default simdjson object has no document behind it: look fields up only in a real one.
  std::string_view name, arguments;
  element e;
  if (json::field(call, "function", e) && json::is_object(e)) {
    name = json::field_string(json::as_object(e), "name");
    arguments = json::field_string(json::as_object(e), "arguments");
  }
  int item = -1;
  for (const auto& open_call : tool_items_) {
    if (open_call.first == index) item = open_call.second;
  }
  if (item < 0) {
    close_text_items(out);
    const auto kind = is_custom_tool(options_.custom_tools, name)
                          ? ResponsesItemKind::kCustomToolCall
                          : ResponsesItemKind::kFunctionCall;
    item = events_.open_item(out, kind, json::field_string(call, "id"), name);
    tool_items_.emplace_back(index, item);
  }
  events_.delta(out, item, arguments);
}

void ChatToResponsesStream::close_text_items(std::string& out) {
  events_.close_item(out, reasoning_item_);
  events_.close_item(out, message_item_);
  reasoning_item_ = message_item_ = -1;
}

void ChatToResponsesStream::on_finish_reason(std::string& out, std::string_view reason) {
  if (reason.empty()) return;
  finish_reason_ = reason;
  // The items still open are the ones the output limit or the filter cut.
  events_.close_open_items(out, reason == "length" || reason == "content_filter");
  tool_items_.clear();
  reasoning_item_ = message_item_ = -1;
}

void ChatToResponsesStream::read_usage(object usage) {
  element e;
  usage_.seen = true;
  usage_.prompt_tokens = json::field_integer(usage, "prompt_tokens");
  usage_.completion_tokens = json::field_integer(usage, "completion_tokens");
  if (json::field(usage, "prompt_tokens_details", e) && json::is_object(e)) {
    usage_.cached_tokens = json::field_integer(json::as_object(e), "cached_tokens");
  }
  if (json::field(usage, "completion_tokens_details", e) && json::is_object(e)) {
    reasoning_tokens_ = json::field_integer(json::as_object(e), "reasoning_tokens");
  }
}

void ChatToResponsesStream::complete(std::string& out) {
  std::string_view incomplete;
  if (finish_reason_ == "length") incomplete = "max_output_tokens";
  if (finish_reason_ == "content_filter") incomplete = "content_filter";
  events_.complete(out, usage_, reasoning_tokens_, incomplete);
}

void ChatToResponsesStream::fail(std::string& out, std::string_view message) {
  events_.fail(out, "server_error", message);
}

void ChatToResponsesStream::finish(std::string& out) {
  if (done()) return;
  if (!finish_reason_.empty()) {
    complete(out);
    return;
  }
  events_.fail(out, "server_error", "upstream stream ended before the response was complete");
}

}  // namespace ringgate::providers
