#pragma once

#include <string_view>

#include "providers/translation_types.h"

namespace ringgate::providers {

// OpenAI chat completions request body -> Anthropic Messages request body.
TranslateResult openai_chat_to_anthropic(std::string_view body, const TranslateOptions& options);

// Anthropic Messages request body -> OpenAI chat completions request body.
TranslateResult anthropic_to_openai_chat(std::string_view body, const TranslateOptions& options);

}  // namespace ringgate::providers
