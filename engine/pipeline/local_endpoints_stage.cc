#include <vector>

#include "engine/admission/admission_error.h"
#include "engine/admission/gatekeeper.h"
#include "engine/admission/model_pattern.h"
#include "engine/pipeline/admin_endpoint.h"
#include "engine/pipeline/admin_keys_write.h"
#include "engine/pipeline/admin_page.h"
#include "engine/pipeline/metrics_endpoint.h"
#include "engine/pipeline/stages.h"
#include "protocol/cors.h"
#include "protocol/error_body.h"
#include "providers/models_translator.h"

namespace ringgate::pipeline {

namespace {

providers::ModelEntry entry(std::string_view id) {
  providers::ModelEntry e;
  e.id = id;
  e.owned_by = "ringgate";
  return e;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A path segment as the SDKs encode it (encodeURIComponent): "%2F" is '/', and so on.
// False for a broken escape.
bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(char(hi * 16 + lo));
    i += 2;
  }
  return true;
}

// The model patterns the caller may use (empty: all), or null after refusing it as admission
// would: the list tells what a key may use, so it is never answered to a caller without one.
const std::vector<std::string>* caller_patterns(RequestContext& rq, Verdict& refused) {
  static const std::vector<std::string> kEveryModel;
  const admission::Gatekeeper* gk = rq.runtime->gatekeeper();
  if (!gk) return &kEveryModel;
  rq.client = client_of(rq);
  admission::AdmitInput in;
  in.key = presented_key(*rq.http);
  in.tls_subject = rq.tls_subject;
  in.client = rq.client;
  admission::Decision d;
  const std::vector<std::string>* patterns = gk->caller_models(in, d);
  rq.key_id = d.key_id;
  if (!patterns) {
    rq.auth_failed = true;
    rq.refusal = d.refusal;
    refused = Verdict::error(admission::to_api_error(d.refusal));
  }
  return patterns;
}

// GET /v1/models and /v1/models/{id} from the config, in the client's shape: the names and
// aliases of the models the caller may use, as a list (Anthropic clients: paged as they ask) or
// one of them. A model the caller may not use is as absent as an unknown one.
Verdict configured_models(RequestContext& rq, std::string_view rest) {
  const config::Config& cfg = rq.runtime->config();
  Verdict refused;
  const std::vector<std::string>* patterns = caller_patterns(rq, refused);
  if (!patterns) return refused;
  std::string& out = rq.local_body;
  out.clear();
  if (!rest.empty()) {  // "/{id}"
    std::string id;
    const config::RuntimeModel* m =
        percent_decode(rest.substr(1), id) ? rq.runtime->find_model(id) : nullptr;
    if (!m || !admission::any_pattern_matches(*patterns, m->def->name)) {
      std::string msg = "The model '";
      msg.append(std::string_view(id).substr(0, 256));
      msg.append("' does not exist or is not served by this gateway");
      return Verdict::error({404, msg, protocol::ErrorCode::kModelNotFound});
    }
    providers::render_model(rq.front, entry(id), out);
    return Verdict::local(200, "application/json", out);
  }
  const providers::ModelPage page = rq.front == protocol::ApiFront::kAnthropic
                                        ? providers::parse_model_page(rq.http->query)
                                        : providers::ModelPage{};
  if (!page.ok) {
    return Verdict::error({400, page.error, protocol::ErrorCode::kInvalidRequestBody, "limit"});
  }
  std::vector<providers::ModelEntry> models;
  for (const config::Model& m : cfg.models) {
    if (!admission::any_pattern_matches(*patterns, m.name)) continue;
    models.push_back(entry(m.name));
    for (const std::string& a : m.aliases) models.push_back(entry(a));
  }
  providers::render_model_list(rq.front, models, page, out);
  return Verdict::local(200, "application/json", out);
}

// Ready or not, with each probed deployment's health as details: an unhealthy deployment does
// not make the node unready (routing goes around it).
Verdict readyz(RequestContext& rq, const ShardServices& svc) {
  const bool ready = svc.ready();
  std::string& out = rq.local_body;
  out = ready ? R"({"status":"ready")" : R"({"status":"not ready")";
  if (svc.deployment_health) {
    out.push_back(',');
    svc.deployment_health(out);
  }
  if (svc.fleet_ledger) {
    out.push_back(',');
    svc.fleet_ledger(out);
  }
  if (svc.cluster_state) {
    out.push_back(',');
    svc.cluster_state(out);
  }
  out.push_back('}');
  return Verdict::local(ready ? 200 : 503, "application/json", out);
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
  if (path == "/readyz") return readyz(rq, svc);
  // The console page before the admin API and metrics: it needs no key (it holds no data).
  if (is_admin_page_request(rq)) return admin_page(rq);
  if (Verdict v = admin_keys_write(rq, svc); !v.goes_on() || rq.key_change) return v;
  if (is_metrics_request(rq)) return metrics_endpoint(rq, svc);
  if (is_admin_api_request(rq)) return admin_endpoint(rq, svc);
  if (path.substr(0, 4) != "/v1/") {
    return Verdict::error({404,
                           "unknown path; ringgate serves the OpenAI and Anthropic APIs under /v1/",
                           protocol::ErrorCode::kNotFound});
  }
  if ((req.method == "GET" || req.method == "HEAD") && !rq.runtime->config().passthrough &&
      (path == "/v1/models" || (path.starts_with("/v1/models/") && path.size() > 11))) {
    return configured_models(rq, path.substr(10));
  }
  return Verdict::go_on();
}

}  // namespace ringgate::pipeline
