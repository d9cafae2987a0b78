// GET <[metrics] path>: the Prometheus scrape. With an admin key configured only a request that
// presents it is answered; without one only in open access (see config::Metrics for why).
#include "engine/pipeline/metrics_endpoint.h"

#include "engine/pipeline/admin_auth.h"
#include "protocol/prometheus_text.h"

namespace ringgate::pipeline {

bool is_metrics_request(const RequestContext& rq) {
  const config::Metrics& m = rq.runtime->config().metrics;
  return m.enabled && rq.http->path == m.path;
}

Verdict metrics_endpoint(RequestContext& rq, const ShardServices& svc) {
  const protocol::HttpRequest& req = *rq.http;
  const config::Config& cfg = rq.runtime->config();
  if (req.method != "GET" && req.method != "HEAD") {
    return Verdict::error(
        {405, "the metrics endpoint accepts GET only", protocol::ErrorCode::kMethodNotAllowed},
        "Allow: GET, HEAD\r\n");
  }
  const bool open_access = cfg.admission.mode == config::AuthMode::kNone;
  if (cfg.metrics.admin_key_sha256) {
    if (!presents_admin_key(req, *cfg.metrics.admin_key_sha256)) {
      return Verdict::error({401, "the metrics endpoint needs the admin key: Authorization: Bearer",
                             protocol::ErrorCode::kInvalidApiKey});
    }
  } else if (!open_access) {
    return Verdict::error({403,
                           "the metrics endpoint is closed: clients must present keys, so set "
                           "[metrics] admin_key to scrape it",
                           protocol::ErrorCode::kConfigurationError});
  }
  rq.local_body.clear();
  if (svc.scrape_metrics) svc.scrape_metrics(open_access, rq.local_body);
  return Verdict::local(200, protocol::kPrometheusContentType, rq.local_body);
}

}  // namespace ringgate::pipeline
