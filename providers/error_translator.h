#pragma once

#include <string>
#include <string_view>

#include "providers/translation_types.h"

namespace ringgate::providers {

// An upstream error response in one API's shape -> the other API's shape. Always succeeds: a body
// that is not the expected shape still yields a well-formed error carrying the upstream status.
// `status` of the result is what to send to the client (529, Anthropic's "overloaded", becomes 503
// for OpenAI clients, whose SDKs and proxies do not know it). Key-like strings are redacted.
TranslateResult anthropic_error_to_openai(int status, std::string_view body);
TranslateResult openai_error_to_anthropic(int status, std::string_view body);

// Error bodies and the error `type` each API uses for a status are protocol/api_error.h's.

// Replaces API-key-looking tokens (sk-..., sk-ant-...) with a fixed mask.
std::string redact_keys(std::string_view text);

}  // namespace ringgate::providers
