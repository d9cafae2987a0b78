#pragma once

#include <simdjson.h>

#include <string_view>

#include "providers/translation_types.h"

namespace ringgate::providers {

// OpenAI Responses API request body (POST /v1/responses) -> Anthropic Messages request body /
// OpenAI chat completions request body, for upstreams without a Responses endpoint.
// options.prior_items (the stored conversation of previous_response_id) is prepended to `input`.
// Besides the body, the result carries what the response leg and the conversation store need:
// custom_tools, responses_echo, store, conversation_items (see translation_types.h).
TranslateResult responses_to_anthropic(simdjson::dom::element root, size_t size_hint,
                                       const TranslateOptions& options);
TranslateResult responses_to_openai_chat(simdjson::dom::element root, size_t size_hint,
                                         const TranslateOptions& options);
TranslateResult responses_to_anthropic(std::string_view body, const TranslateOptions& options);
TranslateResult responses_to_openai_chat(std::string_view body, const TranslateOptions& options);

}  // namespace ringgate::providers
