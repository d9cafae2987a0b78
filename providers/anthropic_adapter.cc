// Anthropic's Messages API: x-api-key, a required anthropic-version header, and only /messages,
// /messages/count_tokens and /models[/{id}]; OpenAI chat clients reach it through translation.
#include "providers/provider_families.h"

namespace ringgate::providers::anthropic_family {

namespace {
// The version Anthropic's SDKs send. The client's own anthropic-version (and anthropic-beta)
// travel as they are; this is for clients that send none, such as OpenAI clients translated here.
constexpr HeaderField kDefaults[] = {{"anthropic-version", "2023-06-01"}};
}  // namespace

EndpointPlan plan_endpoint(std::string_view client_endpoint) {
  EndpointPlan plan;
  plan.upstream_endpoint = client_endpoint;
  if (client_endpoint == "/chat/completions") {
    plan.translation = Translation::kOpenAiClientToAnthropic;
    plan.upstream_endpoint = "/messages";
  } else if (client_endpoint != "/messages" && client_endpoint != "/messages/count_tokens" &&
             client_endpoint != "/models" && !client_endpoint.starts_with("/models/")) {
    plan.error = {404, "this endpoint is not available for an Anthropic-format upstream",
                  protocol::ErrorCode::kUnsupportedEndpoint};
  }
  return plan;
}

void append_request_target(const UpstreamTarget& target, std::string_view upstream_endpoint,
                           std::string_view client_query, std::string& out) {
  out.append(target.base_path);
  out.append(upstream_endpoint);
  if (!client_query.empty()) {
    out.push_back('?');
    out.append(client_query);
  }
}

HeaderField auth_header() { return {"x-api-key", ""}; }

std::span<const HeaderField> default_headers() { return kDefaults; }

}  // namespace ringgate::providers::anthropic_family
