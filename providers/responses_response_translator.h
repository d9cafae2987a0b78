#pragma once

#include <string_view>

#include "providers/translation_types.h"

namespace ringgate::providers {

// A 2xx non-streaming Anthropic Messages response / chat.completion -> a Responses object
// (status 502 when the body is not the expected shape). The object's id is options.id ("resp_"
// and the upstream's id when empty); options.responses_echo is spliced in and calls to the tools
// named in options.custom_tools come back as custom_tool_call items. Also fills usage (OpenAI
// terms) and output_items (the object's `output` array, for the conversation store).
TranslateResult anthropic_response_to_responses(std::string_view body,
                                                const ResponseOptions& options);
TranslateResult chat_response_to_responses(std::string_view body, const ResponseOptions& options);

// The Responses status and incomplete reason ("" = none) for an Anthropic stop_reason / a chat
// finish_reason; the stream translators use the same.
struct ResponsesStatus {
  std::string_view status, incomplete_reason;
};
ResponsesStatus responses_status_for_stop_reason(std::string_view stop_reason);
ResponsesStatus responses_status_for_finish_reason(std::string_view finish_reason);

}  // namespace ringgate::providers
