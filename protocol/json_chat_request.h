#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringgate::protocol {

// The few fields of an LLM API request the gateway needs before routing, read in one simdjson
// pass. Views point into the parser's document: valid until that parser parses again.
struct ChatRequestView {
  std::string_view model;
  bool stream = false;
  bool include_usage = false;         // stream_options.include_usage
  std::optional<int64_t> max_tokens;  // max_tokens / max_completion_tokens (the larger if both)
  bool has_messages = false;          // "messages" is a non-empty array
  simdjson::dom::object root;         // the whole request, so later stages never parse it again
  simdjson::dom::element document;    // the same, as an element (what translators take)
};

struct JsonError {
  std::string message;
};

// All three refuse a request object whose top-level keys repeat (compared unescaped, so
// "mod\u0065l" is "model"), naming the key: the gateway reads the first, upstreams the last. The
// keys of "stream_options", which the gateway reads, are checked too; other nested objects are
// not (the gateway does not interpret them).

// OpenAI /v1/chat/completions: top-level object, "model" a non-empty string, "messages" an
// array; "stream", "stream_options", "max_tokens", "max_completion_tokens" type-checked when
// present. Copies `body` into the parser's padded buffer unless the caller promises at least
// SIMDJSON_PADDING readable bytes after it (`readable_padding`). On failure returns false with a
// message naming the field.
bool parse_chat_request(simdjson::dom::parser& parser, std::string_view body, ChatRequestView& out,
                        JsonError& err, size_t readable_padding = 0);

// /v1/embeddings, /v1/completions and the like: only "model" (and "stream") are checked.
bool parse_model_only(simdjson::dom::parser& parser, std::string_view body, ChatRequestView& out,
                      JsonError& err, size_t readable_padding = 0);

// OpenAI /v1/responses: "model", "stream", and "max_output_tokens" (positive when present) into
// max_tokens, so a model's cap holds for the Responses API too.
bool parse_responses_request(simdjson::dom::parser& parser, std::string_view body,
                             ChatRequestView& out, JsonError& err, size_t readable_padding = 0);

// Anthropic /v1/messages: "model", "max_tokens" (required, positive) and "messages" (array).
bool parse_messages_request(simdjson::dom::parser& parser, std::string_view body,
                            ChatRequestView& out, JsonError& err, size_t readable_padding = 0);

}  // namespace ringgate::protocol
