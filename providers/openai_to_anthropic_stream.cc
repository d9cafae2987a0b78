// OpenAI chunks -> Anthropic events. Decisions:
// - message_start waits for the first chunk that names its id: Azure OpenAI opens its streams
//   with a chunk of "id": "", "choices": [] and prompt_filter_results, which says nothing to
//   translate. A chunk without an id that does carry choices (or [DONE], or the stream's end)
//   starts the message with StreamOptions::fallback_id instead, so a message_start always has an
//   id and always comes before any content. A later chunk's id never changes the message's.
// - message_start has input_tokens from StreamOptions::input_tokens
//   (the gateway's count; 0 without one), since OpenAI reports usage only at the end;
//   message_delta.usage then carries input_tokens, cache_read_input_tokens and
//   output_tokens, which current Anthropic SDKs merge into the message.
// - Only choice index 0 is translated (the request side never asks for n > 1).
// - reasoning_content (or `reasoning`, OpenRouter's name) opens a thinking block; it carries no
//   signature because none exists.
// - A tool call delta whose index differs from the open tool block's opens a new tool_use block;
//   a missing id (some servers omit it) gets a stable synthetic one.
// - `error` in a chunk -> Anthropic `error` event, and the stream ends there.
#include "providers/openai_to_anthropic_stream.h"

#include "providers/json_access.h"
#include "providers/json_writer.h"
#include "providers/response_translator.h"
#include "providers/tool_history_repair.h"

namespace ringgate::providers {

using json::element;
using json::object;

namespace {

void begin_event(std::string& out, std::string_view name) {
  out += "event: ";
  out += name;
  out += "\ndata: ";
}

}  // namespace

OpenAiToAnthropicStream::OpenAiToAnthropicStream(StreamOptions options)
    : options_(std::move(options)) {}

std::string_view OpenAiToAnthropicStream::fallback_id() const {
  return options_.fallback_id.empty() ? std::string_view("msg_ringgate")
                                      : std::string_view(options_.fallback_id);
}

void OpenAiToAnthropicStream::start(std::string& out, std::string_view id, std::string_view model) {
  started_ = true;
  id_ = options_.id.empty() ? id : std::string_view(options_.id);
  begin_event(out, "message_start");
  JsonWriter w(out);
  w.begin_object().key("type").string("message_start").key("message").begin_object();
  w.key("id").string(id_);
  w.key("type").string("message").key("role").string("assistant");
  w.key("model").string(options_.model.empty() ? model : std::string_view(options_.model));
  w.key("content").begin_array().end_array();
  w.key("stop_reason").null().key("stop_sequence").null();
  w.key("usage").begin_object();
  const bool hinted = usage_.prompt_tokens == 0 && options_.input_tokens >= 0;
  w.key("input_tokens")
      .integer(hinted ? options_.input_tokens : usage_.prompt_tokens - usage_.cached_tokens);
  w.key("cache_creation_input_tokens").integer(0);
  w.key("cache_read_input_tokens").integer(usage_.cached_tokens);
  w.key("output_tokens").integer(0);
  w.end_object().end_object().end_object();
  out += "\n\n";
}

void OpenAiToAnthropicStream::open_block(std::string& out, Block kind, std::string_view tool_id,
                                         std::string_view tool_name) {
  close_block(out);
  block_ = kind;
  ++block_index_;
  begin_event(out, "content_block_start");
  JsonWriter w(out);
  w.begin_object().key("type").string("content_block_start").key("index").integer(block_index_);
  w.key("content_block").begin_object();
  switch (kind) {
    case Block::kText:
      w.key("type").string("text").key("text").string("");
      break;
    case Block::kThinking:
      w.key("type").string("thinking").key("thinking").string("").key("signature").string("");
      break;
    case Block::kTool:
      w.key("type").string("tool_use");
      {
        // Stable per stream and call, so a client replaying the history pairs results correctly,
        // and portable (tool_history_repair.h), so that history is valid for either API.
        std::string synthetic;
        if (tool_id.empty()) {
          synthetic = "toolu_" + std::string(id_) + std::to_string(block_index_);
          tool_id = synthetic;
        }
        MappedToolId mapped;
        w.key("id").string(portable_tool_id(tool_id, mapped));
      }
      w.key("name").string(tool_name).key("input").begin_object().end_object();
      break;
    case Block::kNone:
      break;
  }
  w.end_object().end_object();
  out += "\n\n";
}

void OpenAiToAnthropicStream::close_block(std::string& out) {
  if (block_ == Block::kNone) return;
  begin_event(out, "content_block_stop");
  JsonWriter w(out);
  w.begin_object().key("type").string("content_block_stop").key("index").integer(block_index_);
  w.end_object();
  out += "\n\n";
  block_ = Block::kNone;
}

void OpenAiToAnthropicStream::text_delta(std::string& out, Block kind, std::string_view text) {
  if (block_ != kind) open_block(out, kind, {}, {});
  begin_event(out, "content_block_delta");
  JsonWriter w(out);
  w.begin_object().key("type").string("content_block_delta").key("index").integer(block_index_);
  w.key("delta").begin_object();
  if (kind == Block::kText) {
    w.key("type").string("text_delta").key("text").string(text);
  } else {
    w.key("type").string("thinking_delta").key("thinking").string(text);
  }
  w.end_object().end_object();
  out += "\n\n";
}

void OpenAiToAnthropicStream::close_message(std::string& out) {
  close_block(out);
  begin_event(out, "message_delta");
  JsonWriter w(out);
  w.begin_object().key("type").string("message_delta").key("delta").begin_object();
  w.key("stop_reason").string(stop_reason_.empty() ? "end_turn" : stop_reason_);
  w.key("stop_sequence").null().end_object();
  w.key("usage").begin_object();
  w.key("input_tokens").integer(usage_.prompt_tokens - usage_.cached_tokens);
  w.key("cache_creation_input_tokens").integer(0);
  w.key("cache_read_input_tokens").integer(usage_.cached_tokens);
  w.key("output_tokens").integer(usage_.completion_tokens);
  w.end_object().end_object();
  out += "\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  done_ = true;
}

void OpenAiToAnthropicStream::emit_error(std::string& out, std::string_view type,
                                         std::string_view message) {
  begin_event(out, "error");
  JsonWriter w(out);
  w.begin_object().key("type").string("error").key("error").begin_object();
  w.key("type").string(type).key("message").string(message).end_object().end_object();
  out += "\n\n";
  done_ = true;
}

void OpenAiToAnthropicStream::on_event(std::string_view /*event*/, std::string_view data,
                                       std::string& out) {
  if (done_) return;
  const auto first = data.find_first_not_of(" \t\r\n");
  const auto last = data.find_last_not_of(" \t\r\n");
  if (first != std::string_view::npos && data.substr(first, last - first + 1) == "[DONE]") {
    if (!started_) start(out, fallback_id(), options_.model);
    close_message(out);
    return;
  }
  element root;
  if (!json::parse(json::ParserSlot::kDocument, data, root) || !json::is_object(root)) {
    emit_error(out, "api_error", "upstream sent an unreadable stream event");
    return;
  }
  object chunk = json::as_object(root);
  element err;
  if (json::field(chunk, "error", err)) {
    std::string_view message = "upstream stream failed";
    if (json::is_object(err)) {
      if (auto m = json::field_string(json::as_object(err), "message"); !m.empty()) message = m;
    } else if (json::is_string(err)) {
      message = json::str(err);
    }
    emit_error(out, "api_error", message);
    return;
  }
  element usage;
  if (json::field(chunk, "usage", usage) && json::is_object(usage)) {
    object u = json::as_object(usage);
    usage_.prompt_tokens = json::field_integer(u, "prompt_tokens");
    usage_.completion_tokens = json::field_integer(u, "completion_tokens");
    element details;
    if (json::field(u, "prompt_tokens_details", details) && json::is_object(details)) {
      usage_.cached_tokens = json::field_integer(json::as_object(details), "cached_tokens");
    }
    usage_.seen = true;
  }
  element choices_el;
  const bool has_choices = json::field(chunk, "choices", choices_el) &&
                           json::is_array(choices_el) && json::as_array(choices_el).size() > 0;
  if (!started_) {
    const std::string_view id = json::field_string(chunk, "id");
    if (!id.empty()) {
      start(out, id, json::field_string(chunk, "model"));
    } else if (has_choices) {
      start(out, fallback_id(), json::field_string(chunk, "model"));
    } else {
      return;  // Azure's prompt_filter_results chunk: nothing to say yet
    }
  }
  if (!has_choices) return;
  for (element c : json::as_array(choices_el)) {
    if (!json::is_object(c)) continue;
    object choice = json::as_object(c);
    if (json::field_integer(choice, "index") != 0) continue;
    element delta_el;
    if (json::field(choice, "delta", delta_el) && json::is_object(delta_el)) {
      object delta = json::as_object(delta_el);
      std::string_view reasoning = json::field_string(delta, "reasoning_content");
      if (reasoning.empty()) reasoning = json::field_string(delta, "reasoning");
      if (!reasoning.empty()) text_delta(out, Block::kThinking, reasoning);
      if (auto text = json::field_string(delta, "content"); !text.empty()) {
        text_delta(out, Block::kText, text);
      }
      if (auto refusal = json::field_string(delta, "refusal"); !refusal.empty()) {
        text_delta(out, Block::kText, refusal);
        stop_reason_ = "refusal";
      }
      element calls;
      if (json::field(delta, "tool_calls", calls) && json::is_array(calls)) {
        for (element tc_el : json::as_array(calls)) {
          if (!json::is_object(tc_el)) continue;
          object tc = json::as_object(tc_el);
          const int64_t index = json::field_integer(tc, "index");
          const auto id = json::field_string(tc, "id");
          object fn;
          element fn_el;
          const bool has_fn = json::field(tc, "function", fn_el) && json::is_object(fn_el);
          if (has_fn) fn = json::as_object(fn_el);
          // Some servers repeat the id on every delta of a call, so only the index decides.
          if (block_ != Block::kTool || index != tool_call_index_) {
            open_block(out, Block::kTool, id, has_fn ? json::field_string(fn, "name") : "");
            tool_call_index_ = index;
          }
          const auto arguments = has_fn ? json::field_string(fn, "arguments") : std::string_view();
          if (arguments.empty()) continue;
          begin_event(out, "content_block_delta");
          JsonWriter w(out);
          w.begin_object().key("type").string("content_block_delta");
          w.key("index").integer(block_index_).key("delta").begin_object();
          w.key("type").string("input_json_delta").key("partial_json").string(arguments);
          w.end_object().end_object();
          out += "\n\n";
        }
      }
    }
    if (auto finish = json::field_string(choice, "finish_reason"); !finish.empty()) {
      close_block(out);
      if (stop_reason_.empty()) stop_reason_ = stop_reason_for_finish_reason(finish);
      saw_finish_ = true;
    }
  }
}

void OpenAiToAnthropicStream::fail(std::string& out, std::string_view message) {
  if (!done_) emit_error(out, "api_error", message);
}

void OpenAiToAnthropicStream::finish(std::string& out) {
  if (done_) return;
  if (saw_finish_) {
    if (!started_) start(out, fallback_id(), options_.model);
    close_message(out);
    return;
  }
  emit_error(out, "api_error", "upstream stream ended before the response was complete");
}

}  // namespace ringgate::providers
