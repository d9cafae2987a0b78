#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "providers/responses_events.h"
#include "providers/translation_types.h"

namespace ringgate::providers {

// Translates an OpenAI chat.completion.chunk stream (vLLM, llama.cpp, Ollama, ...) into OpenAI
// Responses API stream events, one chunk at a time. The request side asks for
// stream_options.include_usage, so usage arrives in a last chunk after the finish_reason; the
// response completes at `data: [DONE]` (or finish() after a finish_reason).
class ChatToResponsesStream {
 public:
  explicit ChatToResponsesStream(StreamOptions options);

  // One SSE event from the upstream (chat streams name none) and its `data:` payload.
  void on_event(std::string_view event, std::string_view data, std::string& out);

  // The upstream ended: completes after a finish_reason (only [DONE] was lost); otherwise an
  // error event and response.failed, so a cut stream never looks complete.
  void finish(std::string& out);

  // The relay cannot go on: an error event and response.failed, even after a finish_reason.
  void fail(std::string& out, std::string_view message);

  bool done() const { return events_.done(); }
  const TokenUsage& usage() const { return usage_; }
  // JSON array of the output items as sent in response.completed ("" until then).
  const std::string& output_items() const { return events_.output_items(); }

 private:
  void on_chunk(std::string& out, simdjson::dom::object chunk);
  void on_delta(std::string& out, simdjson::dom::object delta);
  void on_tool_call(std::string& out, simdjson::dom::object call);
  void on_finish_reason(std::string& out, std::string_view reason);
  void read_usage(simdjson::dom::object usage);
  void complete(std::string& out);
  void close_text_items(std::string& out);

  StreamOptions options_;
  ResponsesEventWriter events_;
  int reasoning_item_ = -1;
  int message_item_ = -1;
  // Open tool calls: the chunk's tool_calls[].index -> the item (parallel calls interleave).
  std::vector<std::pair<int64_t, int>> tool_items_;
  std::string finish_reason_;
  TokenUsage usage_;
  int64_t reasoning_tokens_ = 0;
};

}  // namespace ringgate::providers
