#include "engine/pipeline/metrics_endpoint.h"
#include "engine/pipeline/stages.h"
#include "protocol/cors.h"
#include "protocol/error_body.h"

namespace ringgate::pipeline {

namespace {

void append_models_json(const config::Config& cfg, std::string& out) {
  out.assign(R"({"object":"list","data":[)");
  bool first = true;
  auto add = [&](std::string_view id) {
    if (!first) out.push_back(',');
    first = false;
    out.append(R"({"id":")");
    protocol::append_json_escaped(out, id);
    out.append(R"(","object":"model","created":0,"owned_by":"ringgate"})");
  };
  for (const config::Model& m : cfg.models) {
    add(m.name);
    for (const std::string& a : m.aliases) add(a);
  }
  out.append("]}");
}

}  // namespace

Verdict local_endpoints(RequestContext& rq, const ShardServices& svc) {
  const protocol::HttpRequest& req = *rq.http;
  std::string_view path = req.path;
  // Never forwarded, never authenticated. An origin that is not allowed gets a plain 204 with no
  // CORS headers (the browser then refuses the page's request): default deny, never a 405.
  if (req.method == "OPTIONS") {
    if (is_preflight(req) && !rq.cors_allow_origin.empty()) {
      protocol::append_cors_preflight(rq.response_headers, rq.cors_allow_origin,
                                      req.header("access-control-request-headers"));
    }
    return Verdict::local(204, {}, {}, kAllowAll);
  }
  if (path == "/healthz") return Verdict::local(200, "application/json", R"({"status":"ok"})");
  // The root answers GET and HEAD: Claude Code sends HEAD / to its base URL before its first
  // request, and a browser pointed at the gateway learns where the APIs are. HEAD gets the head
  // alone (the writer never sends a HEAD answer's body).
  if (path == "/" && (req.method == "GET" || req.method == "HEAD")) {
    return Verdict::local(200, "application/json", R"({"status":"ok","apis":"/v1/"})");
  }
  if (path == "/readyz") {
    return svc.ready() ? Verdict::local(200, "application/json", R"({"status":"ready"})")
                       : Verdict::local(503, "application/json", R"({"status":"not ready"})");
  }
  if (is_metrics_request(rq)) return metrics_endpoint(rq, svc);
  if (path.substr(0, 4) != "/v1/") {
    return Verdict::error({404,
                           "unknown path; ringgate serves the OpenAI and Anthropic APIs under /v1/",
                           protocol::ErrorCode::kNotFound});
  }
  if ((req.method == "GET" || req.method == "HEAD") && path == "/v1/models" &&
      !rq.runtime->config().passthrough) {
    append_models_json(rq.runtime->config(), rq.local_body);
    return Verdict::local(200, "application/json", rq.local_body);
  }
  return Verdict::go_on();
}

}  // namespace ringgate::pipeline
