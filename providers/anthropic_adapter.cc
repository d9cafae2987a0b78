// Anthropic's API: x-api-key, a required anthropic-version header. Every path passes through
// (messages, count_tokens, models, message batches, files, legacy complete, ...), except OpenAI's
// own endpoints, which Anthropic does not serve: those are answered here, in the OpenAI shape
// their clients read. OpenAI chat clients reach /messages through translation.
#include "protocol/request_target.h"
#include "providers/provider_families.h"

namespace ringgate::providers::anthropic_family {

namespace {
// The version Anthropic's SDKs send. The client's own anthropic-version (and anthropic-beta)
// travel as they are; this is for clients that send none, such as OpenAI clients translated here.
constexpr HeaderField kDefaults[] = {{"anthropic-version", "2023-06-01"}};

// Why an OpenAI endpoint is not served through an Anthropic-format upstream; null when it is.
const char* openai_only(std::string_view endpoint) {
  if (endpoint == "/embeddings" || endpoint == "/completions") {
    return "this endpoint is not available for an Anthropic-format upstream: it is OpenAI's, and "
           "Anthropic has no equivalent";
  }
  if (protocol::path_at_or_under(endpoint, "/responses")) return kStoredResponses;
  if (protocol::path_at_or_under(endpoint, "/conversations")) {
    return "this endpoint is not available for an Anthropic-format upstream: conversations are "
           "state OpenAI's servers keep, which ringgate does not keep between requests; send the "
           "whole history to /v1/chat/completions";
  }
  if (endpoint.substr(0, 18) == "/chat/completions/") {
    return "this endpoint is not available for an Anthropic-format upstream: stored chat "
           "completions ('store': true) are kept by OpenAI's servers, and ringgate keeps none";
  }
  return nullptr;
}

}  // namespace

EndpointPlan plan_endpoint(std::string_view client_endpoint) {
  EndpointPlan plan;
  plan.upstream_endpoint = client_endpoint;
  if (client_endpoint == "/chat/completions") {
    plan.translation = Translation::kOpenAiClientToAnthropic;
    plan.upstream_endpoint = "/messages";
  } else if (client_endpoint == "/responses") {
    plan.translation = Translation::kResponsesClientToAnthropic;
    plan.upstream_endpoint = "/messages";
  } else if (const char* why = openai_only(client_endpoint)) {
    plan.error = {404, why, protocol::ErrorCode::kUnsupportedEndpoint};
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
