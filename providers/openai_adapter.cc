// OpenAI's API as OpenAI, OpenAI-compatible servers and Azure OpenAI serve it. They share the
// bodies; Azure differs in paths (the model's deployment in the URL, api-version in the query)
// and in the key header.
#include "protocol/request_target.h"
#include "providers/provider_families.h"

namespace ringgate::providers::openai_family {

namespace {

bool is_azure(const UpstreamTarget& target) { return target.format == ApiFormat::kAzureOpenAi; }

// Endpoints Azure serves under /openai/deployments/{deployment}/; the rest (models, responses,
// files, ...) sit at the resource level under /openai/ and name the deployment in the body.
bool deployment_scoped(std::string_view endpoint) {
  return endpoint == "/chat/completions" || endpoint == "/completions" || endpoint == "/embeddings";
}

// The client's query, each parameter after `separator` ('?' first, then '&'), without the ones no
// OpenAI-format upstream should get: `beta` is the Anthropic SDK's (`?beta=true` on its beta
// calls, which Claude Code makes) and means nothing here; Azure's api-version is the gateway's
// (two of them would leave the choice to Azure's parser).
void append_client_params(std::string_view query, bool azure, char separator, std::string& out) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::string_view name = param.substr(0, param.find('='));
    if (param.empty() || name == "beta" || (azure && name == "api-version")) continue;
    out.push_back(separator);
    separator = '&';
    out.append(param);
  }
}

// Anthropic's own endpoints beyond /messages (translated) and /messages/count_tokens (counted
// by the gateway): message batches and the legacy text completions, which no OpenAI-format
// server serves. Answered here, in the Anthropic shape their clients read.
bool anthropic_only(std::string_view endpoint) {
  return endpoint == "/complete" || protocol::path_at_or_under(endpoint, "/messages/batches");
}

}  // namespace

EndpointPlan plan_endpoint(const UpstreamTarget& target, std::string_view client_endpoint,
                           std::string_view model) {
  EndpointPlan plan;
  plan.upstream_endpoint = client_endpoint;
  const bool chat_only = target.responses == ResponsesApi::kChat;
  if (client_endpoint == "/messages") {
    plan.translation = Translation::kAnthropicClientToOpenAi;
    plan.upstream_endpoint = "/chat/completions";
  } else if (chat_only && client_endpoint == "/responses") {
    plan.translation = Translation::kResponsesClientToChat;
    plan.upstream_endpoint = "/chat/completions";
  } else if (chat_only && protocol::path_at_or_under(client_endpoint, "/responses")) {
    plan.error = {404, kStoredResponses, protocol::ErrorCode::kUnsupportedEndpoint};
    return plan;
  } else if (anthropic_only(client_endpoint)) {
    plan.error = {404,
                  "this endpoint is not available for an OpenAI-format upstream: it is "
                  "Anthropic's, and ringgate translates /v1/messages only",
                  protocol::ErrorCode::kUnsupportedEndpoint};
    return plan;
  }
  if (model_in_path(target.format) && deployment_scoped(plan.upstream_endpoint)) {
    if (model.empty()) {
      plan.error = {400, "this endpoint needs a model: it names the Azure deployment",
                    protocol::ErrorCode::kInvalidModel};
    } else if (!valid_deployment_name(model)) {
      plan.error = {400,
                    "the model name cannot be an Azure deployment name (letters, digits, '-', "
                    "'_' and '.' only)",
                    protocol::ErrorCode::kInvalidModel};
    }
  }
  return plan;
}

void append_request_target(const UpstreamTarget& target, std::string_view upstream_endpoint,
                           std::string_view model, std::string_view client_query,
                           std::string& out) {
  out.append(target.base_path);
  if (!is_azure(target)) {
    out.append(upstream_endpoint);
    append_client_params(client_query, false, '?', out);
    return;
  }
  if (deployment_scoped(upstream_endpoint)) {
    out.append("/openai/deployments/");
    out.append(model);  // checked by plan_endpoint: needs no escaping
  } else {
    out.append("/openai");
  }
  out.append(upstream_endpoint);
  out.append("?api-version=");
  out.append(target.api_version);
  append_client_params(client_query, true, '&', out);
}

HeaderField auth_header(ApiFormat format) {
  if (format == ApiFormat::kAzureOpenAi) return {"api-key", ""};
  return {"Authorization", "Bearer "};
}

}  // namespace ringgate::providers::openai_family
