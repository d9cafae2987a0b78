// Anthropic stream -> OpenAI chunks. Mapping:
//   message_start          -> first chunk, delta {role: assistant, content: ""} (only once; a
//                             repeated message_start is ignored)
//   content_block_start    -> text/thinking: nothing (unless it carries text); tool_use: a
//                             tool_calls delta with index, id, type and name, arguments ""
//   content_block_delta    -> text_delta: content; thinking_delta: reasoning_content;
//                             input_json_delta: tool_calls[index].function.arguments;
//                             signature_delta, citations_delta: nothing (no OpenAI field)
//   content_block_stop     -> nothing
//   message_delta          -> chunk with empty delta and finish_reason
//   message_stop           -> usage chunk (choices: []) when include_usage, then [DONE]
//   ping                   -> nothing
//   error                  -> {"error": {...}} chunk, then [DONE]
//   unknown events         -> nothing (Anthropic documents that new event types may appear)
// With include_usage every chunk carries "usage": null, as OpenAI does.
#include "providers/anthropic_to_openai_stream.h"

#include <ctime>

#include "providers/anthropic_usage.h"
#include "providers/json_access.h"
#include "providers/json_writer.h"
#include "providers/response_translator.h"
#include "providers/tool_history_repair.h"

namespace ringgate::providers {

using json::element;
using json::object;

AnthropicToOpenAiStream::AnthropicToOpenAiStream(StreamOptions options)
    : options_(std::move(options)), id_(options_.id), model_(options_.model) {
  if (options_.created == 0) options_.created = std::time(nullptr);
}

void AnthropicToOpenAiStream::begin_chunk(std::string& out) {
  out += "data: ";
  JsonWriter w(out);
  w.begin_object().key("id").string(id_).key("object").string("chat.completion.chunk");
  w.key("created").integer(options_.created).key("model").string(model_);
  out += ",\"choices\":[{\"index\":0,\"delta\":{";
}

void AnthropicToOpenAiStream::end_chunk(std::string& out, std::string_view finish_reason) {
  out += "},\"logprobs\":null,\"finish_reason\":";
  if (finish_reason.empty()) {
    out += "null";
  } else {
    JsonWriter(out).string(finish_reason);
  }
  out += "}]";
  if (options_.include_usage) out += ",\"usage\":null";
  out += "}\n\n";
}

void AnthropicToOpenAiStream::emit_error(std::string& out, std::string_view type,
                                         std::string_view message) {
  // Same shape as anthropic_error_to_openai: an OpenAI type, Anthropic's own type as `code`.
  std::string_view openai_type = "server_error";
  if (type == "invalid_request_error" || type == "authentication_error" ||
      type == "permission_error" || type == "not_found_error" || type == "rate_limit_error") {
    openai_type = type;
  }
  out += "data: ";
  JsonWriter w(out);
  w.begin_object().key("error").begin_object();
  w.key("message").string(message).key("type").string(openai_type);
  w.key("param").null().key("code");
  type == openai_type ? w.null() : w.string(type);
  w.end_object().end_object();
  out += "\n\ndata: [DONE]\n\n";
  done_ = true;
}

void AnthropicToOpenAiStream::emit_usage_and_done(std::string& out) {
  if (options_.include_usage) {
    out += "data: ";
    JsonWriter w(out);
    w.begin_object().key("id").string(id_).key("object").string("chat.completion.chunk");
    w.key("created").integer(options_.created).key("model").string(model_);
    w.key("choices").begin_array().end_array();
    w.key("usage").begin_object();
    w.key("prompt_tokens").integer(usage_.prompt_tokens);
    w.key("completion_tokens").integer(usage_.completion_tokens);
    w.key("total_tokens").integer(usage_.prompt_tokens + usage_.completion_tokens);
    w.key("prompt_tokens_details").begin_object();
    w.key("cached_tokens").integer(usage_.cached_tokens).end_object();
    w.end_object().end_object();
    out += "\n\n";
  }
  out += "data: [DONE]\n\n";
  done_ = true;
}

void AnthropicToOpenAiStream::on_event(std::string_view event, std::string_view data,
                                       std::string& out) {
  if (done_) return;
  element root;
  if (!json::parse(json::ParserSlot::kDocument, data, root) || !json::is_object(root)) {
    if (event == "ping") return;
    emit_error(out, "api_error", "upstream sent an unreadable stream event");
    return;
  }
  object ev = json::as_object(root);
  std::string_view type = json::field_string(ev, "type");
  if (type.empty()) type = event;

  if (type == "message_start") {
    if (started_) return;
    started_ = true;
    element msg_el, usage;
    if (json::field(ev, "message", msg_el) && json::is_object(msg_el)) {
      object msg = json::as_object(msg_el);
      if (id_.empty()) id_ = json::field_string(msg, "id");
      if (model_.empty()) model_ = json::field_string(msg, "model");
      if (json::field(msg, "usage", usage) && json::is_object(usage)) {
        merge_anthropic_usage(json::as_object(usage), usage_);
      }
    }
    begin_chunk(out);
    out += "\"role\":\"assistant\",\"content\":\"\"";
    end_chunk(out, {});
    return;
  }
  if (type == "ping") return;
  if (type == "error") {
    element err;
    std::string_view err_type = "api_error", message = "upstream stream failed";
    if (json::field(ev, "error", err) && json::is_object(err)) {
      object e = json::as_object(err);
      if (auto m = json::field_string(e, "message"); !m.empty()) message = m;
      if (auto t = json::field_string(e, "type"); !t.empty()) err_type = t;
    }
    emit_error(out, err_type, message);
    return;
  }
  if (!started_) {
    // A well-formed stream starts with message_start; anything else first means a broken one.
    emit_error(out, "api_error", "upstream stream did not start with message_start");
    return;
  }
  if (type == "content_block_start") {
    element cb_el;
    block_ = Block::kIgnored;
    if (!json::field(ev, "content_block", cb_el) || !json::is_object(cb_el)) return;
    object cb = json::as_object(cb_el);
    const auto block_type = json::field_string(cb, "type");
    if (block_type == "text") {
      block_ = Block::kText;
      if (auto text = json::field_string(cb, "text"); !text.empty()) {
        begin_chunk(out);
        JsonWriter(out).key("content").string(text);
        end_chunk(out, {});
      }
    } else if (block_type == "thinking") {
      block_ = Block::kThinking;
      if (auto text = json::field_string(cb, "thinking"); !text.empty()) {
        begin_chunk(out);
        JsonWriter(out).key("reasoning_content").string(text);
        end_chunk(out, {});
      }
    } else if (block_type == "tool_use") {
      const auto name = json::field_string(cb, "name");
      if (!options_.response_format_tool.empty() && name == options_.response_format_tool) {
        block_ = Block::kFormatTool;
        format_tool_used_ = true;
        return;
      }
      block_ = Block::kTool;
      ++tool_index_;
      begin_chunk(out);
      JsonWriter w(out);
      w.key("tool_calls").begin_array().begin_object().key("index").integer(tool_index_);
      MappedToolId mapped;  // ids the client keeps in its history are portable
      w.key("id").string(portable_tool_id(json::field_string(cb, "id"), mapped));
      w.key("type").string("function");
      w.key("function").begin_object().key("name").string(name).key("arguments").string("");
      w.end_object().end_object().end_array();
      end_chunk(out, {});
    }
    return;
  }
  if (type == "content_block_delta") {
    element delta_el;
    if (!json::field(ev, "delta", delta_el) || !json::is_object(delta_el)) return;
    object delta = json::as_object(delta_el);
    const auto delta_type = json::field_string(delta, "type");
    if (delta_type == "text_delta" && block_ == Block::kText) {
      begin_chunk(out);
      JsonWriter(out).key("content").string(json::field_string(delta, "text"));
      end_chunk(out, {});
    } else if (delta_type == "thinking_delta" && block_ == Block::kThinking) {
      begin_chunk(out);
      JsonWriter(out).key("reasoning_content").string(json::field_string(delta, "thinking"));
      end_chunk(out, {});
    } else if (delta_type == "input_json_delta" && block_ == Block::kTool) {
      const auto partial = json::field_string(delta, "partial_json");
      if (partial.empty()) return;
      begin_chunk(out);
      JsonWriter w(out);
      w.key("tool_calls").begin_array().begin_object().key("index").integer(tool_index_);
      w.key("function").begin_object().key("arguments").string(partial);
      w.end_object().end_object().end_array();
      end_chunk(out, {});
    } else if (delta_type == "input_json_delta" && block_ == Block::kFormatTool) {
      const auto partial = json::field_string(delta, "partial_json");
      if (partial.empty()) return;
      begin_chunk(out);
      JsonWriter(out).key("content").string(partial);
      end_chunk(out, {});
    }
    return;
  }
  if (type == "content_block_stop") {
    block_ = Block::kNone;
    return;
  }
  if (type == "message_delta") {
    element delta, usage;
    if (json::field(ev, "usage", usage) && json::is_object(usage)) {
      merge_anthropic_usage(json::as_object(usage), usage_);
    }
    if (finish_sent_) return;
    std::string_view stop_reason;
    if (json::field(ev, "delta", delta) && json::is_object(delta)) {
      stop_reason = json::field_string(json::as_object(delta), "stop_reason");
    }
    if (stop_reason.empty()) return;
    std::string_view finish = finish_reason_for_stop_reason(stop_reason);
    if (format_tool_used_ && finish == "tool_calls" && tool_index_ < 0) finish = "stop";
    begin_chunk(out);
    end_chunk(out, finish);
    finish_sent_ = true;
    return;
  }
  if (type == "message_stop") {
    if (!finish_sent_) {
      begin_chunk(out);
      end_chunk(out, "stop");
      finish_sent_ = true;
    }
    emit_usage_and_done(out);
  }
}

void AnthropicToOpenAiStream::fail(std::string& out, std::string_view message) {
  if (!done_) emit_error(out, "api_error", message);
}

void AnthropicToOpenAiStream::finish(std::string& out) {
  if (done_) return;
  if (finish_sent_) {
    // message_delta arrived, only message_stop is missing: the answer is complete.
    emit_usage_and_done(out);
    return;
  }
  emit_error(out, "api_error", "upstream stream ended before the response was complete");
}

}  // namespace ringgate::providers
