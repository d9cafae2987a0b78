// Each provider family's answers, which provider_adapter.cc dispatches to by format. Internal to
// providers/: the engine calls provider_adapter.h only.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "providers/provider_adapter.h"

namespace ringgate::providers {

// Why /v1/responses/{id} and below (retrieve, delete, cancel, input_items) are not served when
// /v1/responses is translated: stored responses are OpenAI's server state. The gateway keeps a
// translated conversation only so that previous_response_id finds it.
inline constexpr const char* kStoredResponses =
    "this endpoint is not available when /v1/responses is translated (an Anthropic-format or "
    "chat-only upstream): stored responses are OpenAI's server state; ringgate keeps recent "
    "conversations only for previous_response_id";

// OpenAI, OpenAI-compatible servers (vLLM, Ollama, llama.cpp, OpenRouter) and Azure OpenAI.
namespace openai_family {
EndpointPlan plan_endpoint(const UpstreamTarget& target, std::string_view client_endpoint,
                           std::string_view model);
void append_request_target(const UpstreamTarget& target, std::string_view upstream_endpoint,
                           std::string_view model, std::string_view client_query, std::string& out);
HeaderField auth_header(ApiFormat format);
}  // namespace openai_family

namespace anthropic_family {
EndpointPlan plan_endpoint(std::string_view client_endpoint);
void append_request_target(const UpstreamTarget& target, std::string_view upstream_endpoint,
                           std::string_view client_query, std::string& out);
HeaderField auth_header();
std::span<const HeaderField> default_headers();
}  // namespace anthropic_family

}  // namespace ringgate::providers
