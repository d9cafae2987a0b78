#include "engine/pipeline/stages.h"
#include "protocol/cors.h"
#include "protocol/request_target.h"

namespace ringgate::pipeline {

namespace {

// The only methods that reach an upstream, with the provider key attached: an upstream that
// echoes TRACE hands the key to the client, CONNECT would open a tunnel on it, and the APIs
// served here use nothing else. Method names are case-sensitive (RFC 9110 section 9.1).
bool forwarded_method(std::string_view m) {
  return m == "GET" || m == "POST" || m == "DELETE" || m == "HEAD";
}

}  // namespace

protocol::ApiFront client_front(const protocol::HttpRequest& req) {
  using protocol::path_at_or_under;
  const std::string_view path = req.path;
  if (path_at_or_under(path, "/v1/messages") || path == "/v1/complete") {
    return protocol::ApiFront::kAnthropic;
  }
  if (path_at_or_under(path, "/v1/chat/completions") || path == "/v1/completions" ||
      path == "/v1/embeddings" || path_at_or_under(path, "/v1/responses")) {
    return protocol::ApiFront::kOpenAi;
  }
  // Elsewhere the headers say: Anthropic's SDKs always send anthropic-version. On the model list
  // (both APIs' path) an x-api-key without an Authorization is Anthropic's way to present a key
  // too; elsewhere some OpenAI-compatible clients send x-api-key, so it does not count there.
  if (!req.header("anthropic-version").empty()) return protocol::ApiFront::kAnthropic;
  if (path_at_or_under(path, "/v1/models") && !req.header("x-api-key").empty() &&
      req.header("authorization").empty()) {
    return protocol::ApiFront::kAnthropic;
  }
  return protocol::ApiFront::kOpenAi;
}

Verdict identify(RequestContext& rq, const ShardServices& svc) {
  const protocol::HttpRequest& req = *rq.http;
  // seed-defect: 000-H1 — accept a sane client id, else make one; echoed and sent upstream.
  std::string_view given = req.header("x-request-id");
  if (acceptable_request_id(given)) {
    rq.request_id.assign(given);
  } else {
    svc.request_ids->next(rq.request_id);
  }
  rq.front = client_front(req);
  // Before any answer, so a browser page can read errors too. A preflight gets its own lines.
  rq.cors_allow_origin = protocol::cors_allow_origin(
      req.header("origin"), rq.runtime->config().admission.cors.allowed_origins);
  if (!rq.cors_allow_origin.empty() && !is_preflight(req)) {
    protocol::append_cors_response(rq.response_headers, rq.cors_allow_origin);
  }

  // Before any route: the path an upstream resolves must be the path routed here.
  if (const char* why = protocol::request_target_problem(req.target)) {
    return Verdict::error({400, why, protocol::ErrorCode::kInvalidRequestTarget});
  }
  if (req.method != "OPTIONS" && !forwarded_method(req.method)) {
    // seed-defect: 004-P4 — refused before an upstream head (with the key) is ever built.
    return Verdict::error({405, "method not allowed; ringgate forwards GET, POST, DELETE and HEAD",
                           protocol::ErrorCode::kMethodNotAllowed},
                          kAllowAll);
  }
  return Verdict::go_on();
}

}  // namespace ringgate::pipeline
