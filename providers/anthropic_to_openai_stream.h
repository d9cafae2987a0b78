#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "providers/translation_types.h"

namespace ringgate::providers {

// Translates an Anthropic Messages event stream into OpenAI chat.completion.chunk SSE, one
// upstream event at a time. State is a few scalars (blocks arrive one after another, never
// interleaved), so nothing beyond the current event is buffered. One object per stream.
class AnthropicToOpenAiStream {
 public:
  explicit AnthropicToOpenAiStream(StreamOptions options);

  // One SSE event from the upstream: its `event:` name (may be empty) and its `data:` payload.
  // Appends zero or more `data: ...\n\n` frames to out.
  void on_event(std::string_view event, std::string_view data, std::string& out);

  // The upstream ended. Emits [DONE] if not yet sent; a stream cut before message_stop gets an
  // error chunk first so the client does not mistake it for a complete answer.
  void finish(std::string& out);

  // The relay cannot go on (an upstream event was lost, e.g. over the size cap): emits the
  // client's error chunk and [DONE] even after a finish_reason, so a partial answer never looks
  // complete. Nothing once the stream is done.
  void fail(std::string& out, std::string_view message);

  bool done() const { return done_; }
  const TokenUsage& usage() const { return usage_; }

 private:
  enum class Block : uint8_t { kNone, kText, kThinking, kTool, kFormatTool, kIgnored };

  void begin_chunk(std::string& out);
  void end_chunk(std::string& out, std::string_view finish_reason);
  void emit_error(std::string& out, std::string_view type, std::string_view message);
  void emit_usage_and_done(std::string& out);

  StreamOptions options_;
  std::string id_;
  std::string model_;
  Block block_ = Block::kNone;
  int tool_index_ = -1;
  bool started_ = false;
  bool finish_sent_ = false;
  bool done_ = false;
  bool format_tool_used_ = false;
  TokenUsage usage_;
};

}  // namespace ringgate::providers
