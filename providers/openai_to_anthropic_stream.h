#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "providers/translation_types.h"

namespace ringgate::providers {

// Translates an OpenAI chat.completion.chunk stream into an Anthropic Messages event stream, one
// upstream event at a time: exactly one message_start, content blocks opened and closed in order
// (thinking from reasoning_content, text, one tool_use block per tool call index), tool arguments
// as input_json_delta, then message_delta (stop_reason, usage) and message_stop. The closing
// events wait for `data: [DONE]` (or finish()) because OpenAI sends usage after finish_reason.
class OpenAiToAnthropicStream {
 public:
  explicit OpenAiToAnthropicStream(StreamOptions options);

  // One SSE event from the upstream (OpenAI sends no event names; `event` is ignored).
  // Appends zero or more `event: ...\ndata: ...\n\n` frames to out.
  void on_event(std::string_view event, std::string_view data, std::string& out);

  // The upstream ended. Sends the closing events if the response was complete (a finish_reason
  // was seen) and an `error` event if the stream was cut.
  void finish(std::string& out);

  // The relay cannot go on (an upstream event was lost, e.g. over the size cap): emits the
  // client's `error` event instead of the closing events, even after a finish_reason, so a
  // partial answer never looks complete. Nothing once the stream is done.
  void fail(std::string& out, std::string_view message);

  bool done() const { return done_; }
  const TokenUsage& usage() const { return usage_; }

 private:
  enum class Block : uint8_t { kNone, kText, kThinking, kTool };

  void start(std::string& out, std::string_view id, std::string_view model);
  std::string_view fallback_id() const;
  void open_block(std::string& out, Block kind, std::string_view tool_id,
                  std::string_view tool_name);
  void close_block(std::string& out);
  void text_delta(std::string& out, Block kind, std::string_view text);
  void close_message(std::string& out);
  void emit_error(std::string& out, std::string_view type, std::string_view message);

  StreamOptions options_;
  std::string id_;
  Block block_ = Block::kNone;
  int64_t block_index_ = -1;      // Anthropic index of the open (or last) block
  int64_t tool_call_index_ = -1;  // OpenAI tool call index of the open tool_use block
  std::string_view stop_reason_;  // points at a string literal
  bool started_ = false;
  bool saw_finish_ = false;
  bool done_ = false;
  TokenUsage usage_;
};

}  // namespace ringgate::providers
