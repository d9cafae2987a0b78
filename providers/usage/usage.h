#pragma once

#include <cstdint>
#include <string>

namespace ringgate::providers {

// The token counts of one upstream response, normalized across provider shapes so that cost is
// one formula over four buckets that never overlap:
//   input_tokens * input_price + cached_input_tokens * cache_read_price
//   + cache_creation_tokens * cache_write_price + output_tokens * output_price.
//
// Where each field comes from:
//   OpenAI chat, completions, embeddings (usage.*):
//     input_tokens          = prompt_tokens - prompt_tokens_details.cached_tokens
//     cached_input_tokens   = prompt_tokens_details.cached_tokens
//                             (DeepSeek's prompt_cache_hit_tokens when that is absent)
//     cache_creation_tokens = 0 (OpenAI bills no cache writes)
//     output_tokens         = completion_tokens (reasoning included, as OpenAI bills it)
//     reasoning_tokens      = completion_tokens_details.reasoning_tokens
//   OpenAI Responses (response.usage.*):
//     input_tokens          = input_tokens - input_tokens_details.cached_tokens
//     cached_input_tokens   = input_tokens_details.cached_tokens
//     output_tokens         = output_tokens (reasoning included)
//     reasoning_tokens      = output_tokens_details.reasoning_tokens
//   Anthropic Messages (usage.*; in a stream message_start's, then message_delta's fields):
//     input_tokens          = input_tokens (already excludes cache reads and writes)
//     cached_input_tokens   = cache_read_input_tokens
//     cache_creation_tokens = cache_creation_input_tokens
//     output_tokens         = output_tokens
//     reasoning_tokens      = 0 (Anthropic does not report thinking tokens apart)
//
// reasoning_tokens is informational: it is already inside output_tokens and must not be billed
// again. Every count lies in [0, kMaxTokenCount]; OpenAI's cached count is clamped to the prompt
// so that total_input() is exactly the provider's prompt_tokens.
struct Usage {
  static constexpr int64_t kMaxTokenCount = int64_t{1} << 40;

  int64_t input_tokens = 0;           // prompt tokens billed at the full input price
  int64_t output_tokens = 0;          // all output, reasoning included
  int64_t cached_input_tokens = 0;    // prompt tokens read from the provider's cache
  int64_t cache_creation_tokens = 0;  // prompt tokens written to it (Anthropic)
  int64_t reasoning_tokens = 0;       // part of output_tokens, for reporting only
  bool reported = false;              // the upstream sent a usage object at all
  // The response reached its documented end: `data: [DONE]`, message_stop,
  // response.completed/incomplete/failed, or a non-stream body that parsed as JSON. A stream cut
  // before that may still carry usage (Anthropic's message_start), which is kept.
  bool complete = false;
  // An event or the body went over the extractor's cap and was skipped (or, for a body, read by
  // the fallback scan): the numbers may be incomplete and the request deserves a counted estimate.
  bool truncated = false;
  std::string model;          // as the upstream reported it ("" if none), at most kMaxNameBytes
  std::string finish_reason;  // the provider's raw value: "stop", "end_turn", "length", ...

  static constexpr size_t kMaxNameBytes = 256;

  // Every prompt token, however billed: OpenAI's prompt_tokens, Anthropic's input_tokens +
  // cache_read_input_tokens + cache_creation_input_tokens.
  int64_t total_input() const { return input_tokens + cached_input_tokens + cache_creation_tokens; }
  int64_t total_tokens() const { return total_input() + output_tokens; }

  // Empties the record but keeps the strings' capacity.
  void clear() {
    input_tokens = output_tokens = cached_input_tokens = cache_creation_tokens = 0;
    reasoning_tokens = 0;
    reported = complete = truncated = false;
    model.clear();
    finish_reason.clear();
  }
};

}  // namespace ringgate::providers
