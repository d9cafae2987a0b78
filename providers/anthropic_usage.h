// Anthropic's usage objects, read into TokenUsage (OpenAI's terms: prompt tokens include cache
// reads and writes). Shared by the Anthropic stream translators.
#pragma once

#include <cstdint>

#include "providers/json_access.h"
#include "providers/translation_types.h"

namespace ringgate::providers {

// message_start carries the full usage object; message_delta carries output_tokens and, on newer
// API versions, the input counts again. Fields present overwrite what we had.
inline void merge_anthropic_usage(json::object usage, TokenUsage& u) {
  json::element e;
  int64_t input = u.prompt_tokens - u.cached_tokens - u.cache_creation_tokens;
  if (json::field(usage, "input_tokens", e)) input = json::integer(e);
  if (json::field(usage, "cache_read_input_tokens", e)) u.cached_tokens = json::integer(e);
  if (json::field(usage, "cache_creation_input_tokens", e)) {
    u.cache_creation_tokens = json::integer(e);
  }
  if (json::field(usage, "output_tokens", e)) u.completion_tokens = json::integer(e);
  u.prompt_tokens = input + u.cached_tokens + u.cache_creation_tokens;
  u.seen = true;
}

}  // namespace ringgate::providers
