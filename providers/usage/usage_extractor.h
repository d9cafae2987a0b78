#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/sse_framer.h"
#include "providers/usage/usage.h"

namespace ringgate::providers {

// The API shape of the upstream response whose bytes are fed (the upstream's, not the client's:
// the accounting copy is taken before translation).
enum class UsageShape : uint8_t {
  kOpenAiChat,         // /v1/chat/completions
  kOpenAiCompletions,  // /v1/completions (legacy)
  kOpenAiEmbeddings,   // /v1/embeddings
  kOpenAiResponses,    // /v1/responses
  kAnthropicMessages,  // /v1/messages
};

// Reads the usage of one upstream response from a copy of its body bytes (after chunked
// decoding), fed in whatever pieces they arrived in. The result does not depend on where the
// pieces were split.
//
// Streams are framed with protocol::SseFramer (LF, CRLF or CR line ends, multi-line data) and
// every event is parsed with simdjson:
// - OpenAI chat / completions: the LAST non-null `usage` object replaces what was read before,
//   never adds to it, so a final `choices: []` chunk (stream_options.include_usage), usage on
//   the last choice chunk (llama.cpp, Ollama) and cumulative usage on every chunk (vLLM's
//   continuous usage stats) all count once. finish_reason: choice 0's last non-null one (any
//   choice's when no choice 0 has one). `data: [DONE]` completes the stream.
// - Responses: the snapshot events (response.created / in_progress / queued / completed /
//   incomplete / failed) carry a `response` object; its model, its usage (non-null only at the
//   end) and its finish reason (incomplete_details.reason, else status unless still
//   in_progress / queued) are taken, last one wins. The deltas, most of the stream, are not
//   parsed when their `event:` name says what they are. A terminal event completes the stream.
// - Anthropic: message_start's message.usage sets every field; each message_delta usage field
//   that is present overrides it (they are cumulative, so output_tokens is the last one's, and
//   newer API versions repeat input and cache counts there, which then win over message_start's
//   — translated OpenAI streams report input_tokens 0 in message_start). stop_reason from
//   message_delta; message_stop completes the stream. ping, content_block_* and error events
//   carry no usage.
// A stream that ends without the blank line after its last event still has that event read.
//
// Non-stream bodies are buffered (up to max_body_bytes) and parsed once at finish(). A larger
// body sets `truncated` and falls back to a scan: the last `"usage": {...}` object among the
// body's final tail_bytes is parsed, the model is the first `"model": "..."` string of the
// buffered head (else the last one in the tail: embeddings put model after data), and the finish
// reason the last finish_reason / stop_reason in the tail (Responses: first `status` in the head).
//
// Hostile input never crashes and never grows memory past the caps: malformed JSON is skipped,
// numbers are clamped to [0, Usage::kMaxTokenCount], fields of the wrong type (strings, floats)
// are taken as absent, model and finish_reason are cut to Usage::kMaxNameBytes.
//
// Generated text (off by default, for counting output when the upstream reports no usage): with
// set_text_limit(n > 0), the text the response generated is kept, its first n bytes: chat and
// completions content (and reasoning_content) and tool call names and arguments; Responses
// output_text and function call arguments (stream deltas, or the body's output items);
// Anthropic text, thinking and tool_use blocks (name and input JSON). generated_bytes() is the
// whole length, kept or not. Collecting parses the content events a plain read skips.
//
// One object serves many requests: reset() keeps every buffer's capacity, so a warm extractor
// does not allocate. Not thread-safe; meant for the accounting thread.
class UsageExtractor {
 public:
  struct Limits {
    size_t max_event_bytes = size_t{1} << 20;  // one SSE event; larger ones are skipped
    size_t max_body_bytes = size_t{8} << 20;   // a non-stream body parsed whole
    size_t tail_bytes = size_t{64} << 10;      // what the fallback scan keeps of a larger body
  };

  UsageExtractor() : UsageExtractor(Limits{}) {}
  explicit UsageExtractor(Limits limits);

  // Starts a new response.
  void reset(UsageShape shape, bool streamed);
  // The next bytes of the body, as they arrived.
  void feed(std::string_view piece);
  // The body ended. Returns the usage read; valid until the next reset(). Calling it again
  // returns the same record.
  const Usage& finish();

  const Usage& usage() const { return usage_; }
  // A setting: kept across reset(). 0 turns collection off.
  void set_text_limit(size_t max_bytes) { text_limit_ = max_bytes; }
  std::string_view generated_text() const { return text_; }
  uint64_t generated_bytes() const { return generated_bytes_; }
  // Stream events that were not valid JSON (a stream keeps going past them).
  uint64_t malformed_events() const { return malformed_events_; }
  // SSE events dropped for being over max_event_bytes.
  uint64_t dropped_events() const { return framer_.dropped_events(); }

 private:
  void on_event(std::string_view event_name, std::string_view data);
  bool parse_padded(std::string_view text, simdjson::dom::element& root);
  void read_openai_chunk(simdjson::dom::object chunk);
  void read_responses_event(std::string_view type, simdjson::dom::object ev);
  void read_anthropic_event(std::string_view type, simdjson::dom::object ev);
  void read_body(simdjson::dom::object body);
  void read_fallback();
  void set_finish_reason_from_choices(simdjson::dom::object chunk);
  void collect(std::string_view text);
  void collect_choices(simdjson::dom::object chunk);
  void collect_responses_delta(std::string_view type, simdjson::dom::object ev);
  void collect_responses_output(simdjson::dom::object response);
  void collect_anthropic_event(std::string_view type, simdjson::dom::object ev);
  void collect_anthropic_content(simdjson::dom::object message);

  Limits limits_;
  UsageShape shape_ = UsageShape::kOpenAiChat;
  bool streamed_ = false;
  bool finished_ = false;
  bool body_over_cap_ = false;
  bool have_choice0_finish_ = false;
  uint64_t malformed_events_ = 0;
  size_t text_limit_ = 0;
  uint64_t generated_bytes_ = 0;
  std::string text_;  // the first text_limit_ bytes of generated text
  Usage usage_;
  protocol::SseFramer framer_;
  std::string body_;     // non-stream: the first max_body_bytes of the body
  std::string tail_;     // non-stream over the cap: a suffix of the body, >= tail_bytes long
  std::string scratch_;  // a copy of the JSON being parsed, with simdjson's padding
  simdjson::dom::parser parser_;
};

}  // namespace ringgate::providers
