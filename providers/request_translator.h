#pragma once

#include <simdjson.h>

#include <string_view>

#include "providers/translation_types.h"

namespace ringgate::providers {

// OpenAI chat completions request body -> Anthropic Messages request body.
TranslateResult openai_chat_to_anthropic(std::string_view body, const TranslateOptions& options);

// Anthropic Messages request body -> OpenAI chat completions request body.
TranslateResult anthropic_to_openai_chat(std::string_view body, const TranslateOptions& options);

// The same, from a request the caller already parsed (the gateway parses each body once, with
// its shard's parser; seed-defect 000-H4). `size_hint` is the body's size, to size the output.
TranslateResult openai_chat_to_anthropic(simdjson::dom::element root, size_t size_hint,
                                         const TranslateOptions& options);
TranslateResult anthropic_to_openai_chat(simdjson::dom::element root, size_t size_hint,
                                         const TranslateOptions& options);

}  // namespace ringgate::providers
