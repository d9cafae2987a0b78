#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "providers/responses_events.h"
#include "providers/translation_types.h"

namespace ringgate::providers {

// Translates an Anthropic Messages event stream into OpenAI Responses API stream events, one
// upstream event at a time. Anthropic's content blocks arrive one after another, so at most one
// output item is open; see responses_events.h for what is held.
class AnthropicToResponsesStream {
 public:
  explicit AnthropicToResponsesStream(StreamOptions options);

  // One SSE event from the upstream: its `event:` name (may be empty) and its `data:` payload.
  // Appends zero or more `event: ...\ndata: ...\n\n` frames to out.
  void on_event(std::string_view event, std::string_view data, std::string& out);

  // The upstream ended. After a stop reason the response completes (message_stop may be lost);
  // a stream cut before one ends with an error event and response.failed, never looking complete.
  void finish(std::string& out);

  // The relay cannot go on: an error event and response.failed, even after a stop reason.
  // Nothing once the stream is done.
  void fail(std::string& out, std::string_view message);

  bool done() const { return events_.done(); }
  const TokenUsage& usage() const { return usage_; }
  // JSON array of the output items as sent in response.completed ("" until then, and after a
  // failed stream): what the previous_response_id store keeps.
  const std::string& output_items() const { return events_.output_items(); }

 private:
  void on_block_start(std::string& out, simdjson::dom::object block);
  void on_block_delta(std::string& out, simdjson::dom::object delta);
  void on_message_delta(std::string& out, simdjson::dom::object ev);
  void close_stopped_item(std::string& out, bool cut_short);
  void fail_with(std::string& out, std::string_view code, std::string_view message);
  void complete(std::string& out);

  StreamOptions options_;
  ResponsesEventWriter events_;
  int item_ = -1;          // the open block's item; -1 for none or an ignored block
  int stopped_item_ = -1;  // the last block's item, stopped but not yet closed
  bool started_ = false;
  std::string stop_reason_;
  TokenUsage usage_;
};

}  // namespace ringgate::providers
