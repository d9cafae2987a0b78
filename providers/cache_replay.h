// Replays a cached answer in the client's API and mode. The exact cache stores a complete,
// non-streaming body (an OpenAI chat.completion or an Anthropic message); a hit is answered as
// the JSON body of the client's API (translated by providers/response_translator.h when the
// answer came from the other API), or as a well-formed SSE stream of the client's API that the
// official SDKs' stream helpers accept:
//   OpenAI: chat.completion.chunk frames per choice (role, content deltas, reasoning_content
//     deltas, tool_calls deltas: id/name first, then arguments pieces), a finish_reason chunk,
//     a usage chunk (choices: []) when include_usage, then `data: [DONE]`.
//   Anthropic: message_start, content_block_start/delta/stop for text (text_delta), thinking
//     (thinking_delta, signature_delta) and tool_use (input_json_delta); other blocks are started
//     whole and stopped; message_delta with stop_reason and usage; message_stop.
// Text is cut into deltas of about delta_bytes, never inside a UTF-8 sequence. Pure, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::providers {

enum class ReplayApi : uint8_t { kOpenAiChat, kAnthropicMessages };

struct ReplayOptions {
  std::string model;           // model name shown to the client; empty = the stored one
  int64_t created = 0;         // OpenAI's `created` (unix seconds); 0 = now
  bool include_usage = false;  // OpenAI stream: the client asked for the usage chunk
  size_t delta_bytes = 64;     // target size of one text delta (at least 4)
};

struct ReplayResult {
  bool ok = false;
  std::string body;   // JSON body or SSE bytes
  std::string error;  // why not, when !ok (a stored body of the wrong shape)
};

ReplayResult replay_json(std::string_view stored, ReplayApi stored_api, ReplayApi client_api,
                         const ReplayOptions& options);
ReplayResult replay_sse(std::string_view stored, ReplayApi stored_api, ReplayApi client_api,
                        const ReplayOptions& options);

}  // namespace ringgate::providers
