#pragma once

#include <string_view>

#include "providers/translation_types.h"

namespace ringgate::providers {

// A successful (2xx) non-streaming response body, one API's shape -> the other's. Usage found is
// returned in TranslateResult::usage in OpenAI's terms (prompt tokens include cached ones). A body
// that is not the expected shape fails with status 502.
TranslateResult anthropic_response_to_openai(std::string_view body, const ResponseOptions& options);
TranslateResult openai_response_to_anthropic(std::string_view body, const ResponseOptions& options);

// finish_reason <-> stop_reason.
std::string_view finish_reason_for_stop_reason(std::string_view stop_reason);
std::string_view stop_reason_for_finish_reason(std::string_view finish_reason);

}  // namespace ringgate::providers
