// Each provider family's answers, which provider_adapter.cc dispatches to by format. Internal to
// providers/: the engine calls provider_adapter.h only.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "providers/provider_adapter.h"

namespace ringgate::providers {

// OpenAI, OpenAI-compatible servers (vLLM, Ollama, llama.cpp, OpenRouter) and Azure OpenAI.
namespace openai_family {
EndpointPlan plan_endpoint(const UpstreamTarget& target, std::string_view client_endpoint,
                           std::string_view model);
void append_request_target(const UpstreamTarget& target, std::string_view upstream_endpoint,
                           std::string_view model, std::string_view client_query,
                           std::string& out);
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
