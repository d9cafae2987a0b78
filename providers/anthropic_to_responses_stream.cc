// Anthropic stream -> Responses events. Mapping:
//   message_start        -> response.created, response.in_progress (a repeat is ignored)
//   content_block_start  -> text: a message item; thinking: a reasoning item; redacted_thinking:
//                           a reasoning item with encrypted_content "redacted:" + data, closed
//                           at once; tool_use: a function_call item (call_id = the tool_use id),
//                           a custom_tool_call item when the name is in options.custom_tools, or
//                           a message item for options.response_format_tool (text.format)
//   content_block_delta  -> text_delta: output_text.delta; thinking_delta:
//                           reasoning_summary_text.delta; signature_delta: the reasoning item's
//                           encrypted_content; input_json_delta: function_call_arguments.delta
//                           (or output_text.delta for the format tool; held for a custom call)
//   content_block_stop   -> the item's .done events and output_item.done, at the next block
//                           or at message_delta (a message cut by max_tokens is "incomplete")
//   message_delta        -> the stop reason and usage, kept for the end
//   message_stop         -> response.completed, or response.incomplete for max_tokens
//   error                -> error event (code = Anthropic's error type) and response.failed
//   ping, unknown events -> nothing
// Stop reasons: end_turn, tool_use, stop_sequence, pause_turn and refusal complete (a refusal's
// text is the answer as the model wrote it); max_tokens is incomplete (max_output_tokens).
#include "providers/anthropic_to_responses_stream.h"

#include "providers/anthropic_usage.h"
#include "providers/json_access.h"
#include "providers/responses_object.h"

namespace ringgate::providers {

using json::element;
using json::object;

namespace {

bool child_object(object parent, std::string_view name, object& child) {
  element e;
  if (!json::field(parent, name, e) || !json::is_object(e)) return false;
  child = json::as_object(e);
  return true;
}

}  // namespace

AnthropicToResponsesStream::AnthropicToResponsesStream(StreamOptions options)
    : options_(std::move(options)), events_(options_) {}

void AnthropicToResponsesStream::on_event(std::string_view event, std::string_view data,
                                          std::string& out) {
  if (done()) return;
  element root;
  if (!json::parse(json::ParserSlot::kDocument, data, root) || !json::is_object(root)) {
    if (event == "ping") return;
    fail_with(out, "server_error", "upstream sent an unreadable stream event");
    return;
  }
  object ev = json::as_object(root);
  std::string_view type = json::field_string(ev, "type");
  if (type.empty()) type = event;
  object child;
  if (type == "message_start") {
    if (started_) return;
    started_ = true;
    if (child_object(ev, "message", child)) {
      events_.set_upstream_model(json::field_string(child, "model"));
      object usage;
      if (child_object(child, "usage", usage)) merge_anthropic_usage(usage, usage_);
    }
    events_.start(out);
  } else if (type == "ping") {
    return;
  } else if (type == "error") {
    std::string_view code = "server_error", message = "upstream stream failed";
    if (child_object(ev, "error", child)) {
      if (auto m = json::field_string(child, "message"); !m.empty()) message = m;
      if (auto t = json::field_string(child, "type"); !t.empty()) code = t;
    }
    fail_with(out, code, message);
  } else if (!started_) {
    // A well-formed stream starts with message_start; anything else first means a broken one.
    fail_with(out, "server_error", "upstream stream did not start with message_start");
  } else if (type == "content_block_start") {
    if (child_object(ev, "content_block", child)) on_block_start(out, child);
  } else if (type == "content_block_delta") {
    if (child_object(ev, "delta", child)) on_block_delta(out, child);
  } else if (type == "content_block_stop") {
    // Closed at the next block or at message_delta, whose stop reason says whether the output
    // limit cut it (its status is then "incomplete").
    close_stopped_item(out, false);
    stopped_item_ = item_;
    item_ = -1;
  } else if (type == "message_delta") {
    on_message_delta(out, ev);
  } else if (type == "message_stop") {
    complete(out);
  }
}

void AnthropicToResponsesStream::close_stopped_item(std::string& out, bool cut_short) {
  events_.close_item(out, stopped_item_, cut_short);
  stopped_item_ = -1;
}

void AnthropicToResponsesStream::fail_with(std::string& out, std::string_view code,
                                           std::string_view message) {
  close_stopped_item(out, false);  // its block ended: it is whole whatever follows
  events_.fail(out, code, message);
}

void AnthropicToResponsesStream::on_block_start(std::string& out, object block) {
  close_stopped_item(out, false);
  events_.close_item(out, item_);  // a block without its stop: the next one ends it
  item_ = -1;
  const auto type = json::field_string(block, "type");
  if (type == "text") {
    item_ = events_.open_item(out, ResponsesItemKind::kMessage);
    events_.delta(out, item_, json::field_string(block, "text"));
  } else if (type == "thinking") {
    item_ = events_.open_item(out, ResponsesItemKind::kReasoning);
    events_.delta(out, item_, json::field_string(block, "thinking"));
    events_.set_encrypted_content(item_, json::field_string(block, "signature"));
  } else if (type == "redacted_thinking") {
    events_.add_redacted_reasoning(out, json::field_string(block, "data"));
  } else if (type == "tool_use") {
    const auto name = json::field_string(block, "name");
    if (!options_.response_format_tool.empty() && name == options_.response_format_tool) {
      item_ = events_.open_item(out, ResponsesItemKind::kMessage);
      return;
    }
    const auto kind = is_custom_tool(options_.custom_tools, name)
                          ? ResponsesItemKind::kCustomToolCall
                          : ResponsesItemKind::kFunctionCall;
    item_ = events_.open_item(out, kind, json::field_string(block, "id"), name);
  }
}

void AnthropicToResponsesStream::on_block_delta(std::string& out, object delta) {
  if (!events_.is_open(item_)) return;
  const auto type = json::field_string(delta, "type");
  const auto kind = events_.kind(item_);
  if (type == "text_delta" && kind == ResponsesItemKind::kMessage) {
    events_.delta(out, item_, json::field_string(delta, "text"));
  } else if (type == "thinking_delta" && kind == ResponsesItemKind::kReasoning) {
    events_.delta(out, item_, json::field_string(delta, "thinking"));
  } else if (type == "signature_delta" && kind == ResponsesItemKind::kReasoning) {
    events_.set_encrypted_content(item_, json::field_string(delta, "signature"));
  } else if (type == "input_json_delta" && kind != ResponsesItemKind::kReasoning) {
    // Tool arguments, or the format tool's JSON answer as the message's text.
    events_.delta(out, item_, json::field_string(delta, "partial_json"));
  }
}

void AnthropicToResponsesStream::on_message_delta(std::string& out, object ev) {
  object child;
  if (child_object(ev, "usage", child)) merge_anthropic_usage(child, usage_);
  if (child_object(ev, "delta", child)) {
    if (auto reason = json::field_string(child, "stop_reason"); !reason.empty()) {
      stop_reason_ = reason;
      close_stopped_item(out, stop_reason_ == "max_tokens");
    }
  }
}

void AnthropicToResponsesStream::complete(std::string& out) {
  // Anthropic reports no separate thinking count: it is part of output_tokens.
  events_.complete(out, usage_, 0, stop_reason_ == "max_tokens" ? "max_output_tokens" : "");
}

void AnthropicToResponsesStream::fail(std::string& out, std::string_view message) {
  if (!done()) fail_with(out, "server_error", message);
}

void AnthropicToResponsesStream::finish(std::string& out) {
  if (done()) return;
  if (!stop_reason_.empty()) {
    complete(out);  // only message_stop is missing: the answer is whole
    return;
  }
  fail_with(out, "server_error", "upstream stream ended before the response was complete");
}

}  // namespace ringgate::providers
