#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/api_error.h"

namespace ringgate::providers {

// What a translation does with a request field that has no faithful equivalent in the upstream's
// API (Anthropic -> OpenAI: cache_control, context_management, metadata keys other than user_id,
// thinking toward a model that does not reason, ...): leave it out and name it in the answer's
// x-ringgate-dropped-fields header, or refuse the request with a 400 naming it.
enum class UnsupportedFields : uint8_t { kDrop, kRefuse };

constexpr std::string_view unsupported_fields_name(UnsupportedFields p) {
  return p == UnsupportedFields::kRefuse ? "refuse" : "drop";
}

// Per-request knobs for request translation.
struct TranslateOptions {
  // Used when an OpenAI request names no max_tokens / max_completion_tokens (Anthropic requires
  // one) and for Anthropic requests that omit it. 0 = no default: the request is refused instead.
  int64_t default_max_tokens = 0;
  // The upstream's model id; empty keeps the client's model name.
  std::string model_override;
  // Anthropic -> OpenAI: write max_completion_tokens (OpenAI's reasoning models require it)
  // instead of max_tokens (which every OpenAI-compatible server understands).
  bool use_max_completion_tokens = false;
  // Anthropic -> OpenAI: the upstream model reasons (o-series, gpt-5, DeepSeek-R1, QwQ, ...), so
  // `thinking` and `output_config.effort` become `reasoning_effort`. Otherwise they are fields
  // without an equivalent (see `unsupported`).
  bool reasoning_model = false;
  UnsupportedFields unsupported = UnsupportedFields::kDrop;
  // Responses -> X: the conversation so far from the gateway's previous_response_id store, a JSON
  // array of Responses items (input items then output items, in order); prepended to `input`.
  // Empty: none.
  std::string_view prior_items;
  // Responses -> X: the items `input`'s item_reference entries name, from the same store, as a
  // JSON object (item id -> the item). Empty: none; a reference is then refused.
  std::string_view referenced_items;
};

// Token counts as the client's API reports them, kept for accounting.
struct TokenUsage {
  bool seen = false;          // the upstream reported usage at all
  int64_t prompt_tokens = 0;  // input incl. cache reads and cache writes
  int64_t completion_tokens = 0;
  int64_t cached_tokens = 0;          // prompt tokens read from the provider's prompt cache
  int64_t cache_creation_tokens = 0;  // prompt tokens written to it (Anthropic only)
};

// Outcome of a one-shot translation (request, response or error body). On failure `status` and
// `error_message`/`error_param` describe what the client gets; the caller renders it in the
// client's error shape.
struct TranslateResult {
  bool ok = false;
  std::string body;
  int status = 400;
  std::string error_message;
  std::string error_param;
  protocol::ErrorCode error_code = protocol::ErrorCode::kUnsupportedParameter;

  // Facts about a translated request the caller needs for the response leg.
  std::string client_model;  // the model name the client asked for
  bool stream = false;
  bool include_usage = false;  // OpenAI client asked for a final usage chunk
  // Set when an OpenAI response_format json_schema became a forced Anthropic tool: pass it to the
  // response translators so that tool's input comes back as message content.
  std::string response_format_tool;
  // The fields left out under UnsupportedFields::kDrop, sorted, without repeats, comma-separated
  // (the value of x-ringgate-dropped-fields); "" when none was.
  std::string dropped_fields;
  // What the tool-history repair changed before translating (providers/tool_history_repair.h):
  // the x-ringgate-repaired header's value, "" when the history needed no repair.
  std::string tool_history_repairs;

  // Usage found in a translated response.
  TokenUsage usage;

  // Responses requests only:
  std::string custom_tools;  // comma-separated names of custom (free-form) tools sent as functions
                             // with one string argument "input"
  // The tools of `namespace` tools, sent as flat functions "<namespace>__<name>": listed as
  // "<namespace>.<name>", comma-separated, so their calls come back with their namespace.
  std::string namespaced_tools;
  std::string
      responses_echo;  // JSON object members, no braces, that the Responses object echoes
                       // (instructions, tools, tool_choice, parallel_tool_calls, temperature,
                       // top_p, max_output_tokens, previous_response_id, reasoning, text, metadata,
                       // store, user, truncation...). "" when none.
  bool store = true;   // the request's `store` (Responses default: true)
  std::string conversation_items;  // JSON array: prior_items followed by this request's input as
                                   // Responses input items (a string input becomes one user message
                                   // item); what the store keeps
  std::string output_items;  // responses only: JSON array of the output items the client got (for
                             // the store)
};

// An upstream answer that is not the shape its API promises: the client gets a 502.
inline TranslateResult upstream_body_error(std::string message) {
  TranslateResult r;
  r.status = 502;
  r.error_message = std::move(message);
  return r;
}

// Per-response knobs for response and stream translation.
struct ResponseOptions {
  std::string model;                 // model name shown to the client; empty = the upstream's
  int64_t created = 0;               // unix seconds for OpenAI's `created`; 0 = now
  std::string response_format_tool;  // see TranslateResult::response_format_tool
  std::string custom_tools;          // see TranslateResult::custom_tools
  std::string namespaced_tools;      // see TranslateResult::namespaced_tools
  std::string
      responses_echo;  // see TranslateResult::responses_echo; spliced into every Responses object
  std::string id;      // Responses: the response id shown to the client ("resp_<request id>")
};

// Per-stream knobs for the stream translators.
struct StreamOptions {
  std::string model;                 // model name shown to the client; empty = the upstream's
  std::string id;                    // response id shown to the client; empty = the upstream's
  int64_t created = 0;               // unix seconds for OpenAI's `created`; 0 = now
  bool include_usage = false;        // OpenAI client asked for a final usage chunk
  std::string response_format_tool;  // see TranslateResult::response_format_tool
  // OpenAI -> Anthropic: message_start's input_tokens when >= 0 and the first chunk carries no
  // usage (OpenAI reports it only at the end): the gateway's own count of the prompt, or its
  // estimate. message_delta still carries the upstream's numbers.
  int64_t input_tokens = -1;
  // OpenAI -> Anthropic: the message id when the upstream never sends one (Azure OpenAI's first
  // chunk has "id": ""); the gateway passes "msg_" and its request id. Empty: "msg_ringgate".
  std::string fallback_id;
  std::string custom_tools;      // see TranslateResult::custom_tools
  std::string namespaced_tools;  // see TranslateResult::namespaced_tools
  std::string
      responses_echo;  // see TranslateResult::responses_echo; spliced into every Responses object
};

}  // namespace ringgate::providers
