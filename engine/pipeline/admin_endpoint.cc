// GET /admin/<view>: the operator's read-only API. The admin key is required even in open access
// ([auth] mode = "none"): these views name every key, team and deployment.
#include "engine/pipeline/admin_endpoint.h"

#include <optional>
#include <string_view>

#include "engine/pipeline/admin_auth.h"

namespace ringgate::pipeline {

namespace {

constexpr std::string_view kNoStore = "Cache-Control: no-store\r\n";

std::optional<AdminView> view_of(std::string_view name) {
  if (name == "overview") return AdminView::kOverview;
  if (name == "keys") return AdminView::kKeys;
  if (name == "teams") return AdminView::kTeams;
  if (name == "deployments") return AdminView::kDeployments;
  if (name == "cache") return AdminView::kCache;
  if (name == "requests") return AdminView::kRequests;
  return std::nullopt;
}

}  // namespace

bool is_admin_api_request(const RequestContext& rq) {
  const std::string_view path = rq.http->path;
  return path.starts_with("/admin/") && path.size() > 7;
}

Verdict admin_endpoint(RequestContext& rq, const ShardServices& svc) {
  const protocol::HttpRequest& req = *rq.http;
  const config::Config& cfg = rq.runtime->config();
  if (!cfg.metrics.admin_key_sha256) {
    return Verdict::error({403,
                           "the admin API is closed: set [metrics] admin_key (\"env:NAME\") to "
                           "use it",
                           protocol::ErrorCode::kConfigurationError},
                          kNoStore);
  }
  if (!presents_admin_key(req, *cfg.metrics.admin_key_sha256)) {
    return Verdict::error({401, "the admin API needs the admin key: Authorization: Bearer",
                           protocol::ErrorCode::kInvalidApiKey},
                          kNoStore);
  }
  const std::optional<AdminView> view = view_of(req.path.substr(7));
  if (!view) {
    return Verdict::error(
        {404,
         "unknown admin path; the admin API serves /admin/overview, keys, teams, deployments, "
         "cache and requests",
         protocol::ErrorCode::kNotFound},
        kNoStore);
  }
  if (req.method != "GET") {
    return Verdict::error(
        {405, "the admin API accepts GET only", protocol::ErrorCode::kMethodNotAllowed},
        "Allow: GET\r\nCache-Control: no-store\r\n");
  }
  protocol::AdminQuery query;
  if (*view == AdminView::kRequests) {
    std::string error;
    std::optional<protocol::AdminQuery> q = protocol::parse_admin_query(req.query, error);
    if (!q) {
      return Verdict::error({400, error, protocol::ErrorCode::kInvalidRequestBody}, kNoStore);
    }
    query = std::move(*q);
  }
  if (*view == AdminView::kRequests && svc.admin_ledger) {
    // The session runs it off the shard and answers; this verdict stands only if it cannot.
    rq.admin_ledger_pending = true;
    rq.admin_query = std::move(query);
    return Verdict::error(
        {503, "the ledger could not be read", protocol::ErrorCode::kUpstreamUnavailable}, kNoStore);
  }
  if (!svc.admin_view) {
    return Verdict::error({503, "the admin API is not available on this listener",
                           protocol::ErrorCode::kConfigurationError},
                          kNoStore);
  }
  rq.local_body.clear();
  svc.admin_view(*view, query, rq.local_body);
  return Verdict::local(200, "application/json", rq.local_body, kNoStore);
}

}  // namespace ringgate::pipeline
