#include <string>

#include "engine/pipeline/stages.h"
#include "protocol/http_header.h"

namespace ringgate::pipeline {

namespace {

bool is_json_content_type(std::string_view ct) {
  // "application/json" with optional parameters; media types are case-insensitive.
  std::string_view base = ct.substr(0, ct.find(';'));
  while (!base.empty() && (base.back() == ' ' || base.back() == '\t')) base.remove_suffix(1);
  return protocol::ascii_iequals(base, "application/json");
}

bool parse_body(RequestContext& rq, const ShardServices& svc, protocol::JsonError& err) {
  const std::string_view body = rq.http->body;
  simdjson::dom::parser& json = *svc.json;
  switch (rq.endpoint) {
    case Endpoint::kChat:
      return protocol::parse_chat_request(json, body, rq.view, err, rq.body_padding);
    case Endpoint::kMessages:
      return protocol::parse_messages_request(json, body, rq.view, err, rq.body_padding);
    case Endpoint::kResponses:
      return protocol::parse_responses_request(json, body, rq.view, err, rq.body_padding);
    default:
      return protocol::parse_model_only(json, body, rq.view, err, rq.body_padding);
  }
}

// seed-defect: 004-P5 — an unknown model is a 404, never a guess. Resolved here, before
// admission, so a key's model patterns and the per-model limits see the canonical name.
Verdict resolve_model(RequestContext& rq) {
  const config::RuntimeModel* entry = rq.runtime->find_model(rq.view.model);
  if (!entry) {
    std::string msg = "The model '";
    msg.append(rq.view.model.substr(0, 256));
    msg.append("' does not exist or is not served by this gateway");
    return Verdict::error({404, msg, protocol::ErrorCode::kModelNotFound});
  }
  const config::Model* model = entry->def;
  // seed-defect: 001-7 — max_tokens capped per model.
  const std::optional<int64_t>& asked = rq.view.max_tokens;
  if (model->max_tokens_cap > 0 && asked && *asked > model->max_tokens_cap) {
    const char* field = rq.endpoint == Endpoint::kResponses ? "max_output_tokens " : "max_tokens ";
    std::string msg = field + std::to_string(*asked) + " exceeds the limit of " +
                      std::to_string(model->max_tokens_cap) + " for model " + model->name;
    return Verdict::error({400, msg, protocol::ErrorCode::kMaxTokensExceeded});
  }
  rq.route.model = model;
  rq.route.model_entry = entry;
  return Verdict::go_on();
}

}  // namespace

bool reparse_body(RequestContext& rq, const ShardServices& svc) {
  protocol::JsonError err;
  if (!parse_body(rq, svc, err)) return false;
  rq.route.document = rq.view.document;
  return true;
}

Endpoint classify_endpoint(std::string_view suffix) {
  if (suffix == "/chat/completions") return Endpoint::kChat;
  if (suffix == "/messages") return Endpoint::kMessages;
  if (suffix == "/messages/count_tokens") return Endpoint::kCountTokens;  // model + messages
  // /complete: Anthropic's legacy Text Completions (model, prompt, max_tokens_to_sample).
  if (suffix == "/responses") return Endpoint::kResponses;
  if (suffix == "/embeddings" || suffix == "/completions" || suffix == "/complete") {
    return Endpoint::kModelOnly;
  }
  return Endpoint::kOther;
}

bool is_upload_path(std::string_view path) {
  return path.substr(0, 4) == "/v1/" && classify_endpoint(path.substr(3)) == Endpoint::kOther;
}

// x-ringgate-provider-key: the client's own provider key for this request only, where the model
// allows it; elsewhere a clear 400 rather than silently serving on the operator's pool key, which
// would bill the operator for what the client meant to pay for.
Verdict take_client_provider_key(RequestContext& rq) {
  const std::string_view key = rq.http->header("x-ringgate-provider-key");
  if (key.empty()) return Verdict::go_on();
  const config::Model* m = rq.route.model;
  if (!m || !m->client_provider_key) {
    return Verdict::error({400,
                           "x-ringgate-provider-key is not accepted for this model: its "
                           "[[models]] entry does not set client_provider_key = true",
                           protocol::ErrorCode::kUnsupportedParameter});
  }
  rq.client_provider_key = key;
  return Verdict::go_on();
}

Verdict validate(RequestContext& rq, const ShardServices& svc) {
  const protocol::HttpRequest& req = *rq.http;
  Route& route = rq.route;
  route.upstream_suffix = req.path.substr(3);  // after "/v1"
  rq.endpoint = classify_endpoint(route.upstream_suffix);
  if (rq.endpoint == Endpoint::kOther) {
    // Files, batches, models/{id}...: only one upstream can take a request that names no model.
    if (rq.runtime->passthrough_upstream()) return take_client_provider_key(rq);
    return Verdict::error({404, "unknown endpoint", protocol::ErrorCode::kNotFound});
  }
  if (req.method != "POST") {
    return Verdict::error(
        {405, "this endpoint accepts POST only", protocol::ErrorCode::kMethodNotAllowed},
        "Allow: POST\r\n");
  }
  // seed-defect: 000-X2 — only JSON bodies are accepted on the JSON APIs.
  if (!is_json_content_type(req.header("content-type"))) {
    return Verdict::error(
        {415, "Content-Type must be application/json", protocol::ErrorCode::kUnsupportedMediaType});
  }
  protocol::JsonError err;
  if (!parse_body(rq, svc, err)) {
    return Verdict::error({400, err.message, protocol::ErrorCode::kInvalidRequestBody});
  }
  route.client_wants_stream = rq.view.stream;
  route.include_usage = rq.view.include_usage;
  rq.requested_model.assign(rq.view.model);
  route.requested_model = rq.requested_model;
  route.document = rq.view.document;
  // Pass-through: any model, upstreams[0].
  Verdict v = rq.runtime->passthrough_upstream() ? Verdict::go_on() : resolve_model(rq);
  if (v.goes_on()) v = take_client_provider_key(rq);
  return v;
}

}  // namespace ringgate::pipeline
