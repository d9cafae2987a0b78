// The scrape endpoint, answered by the local_endpoints stage.
#pragma once

#include "engine/pipeline/request_context.h"
#include "engine/pipeline/shard_services.h"
#include "engine/pipeline/verdict.h"

namespace ringgate::pipeline {

// The path is the configured [metrics] path and metrics are on.
bool is_metrics_request(const RequestContext& rq);
// 405 for a method other than GET or HEAD, 401 without the admin key when one is configured, 403
// when none is and clients must present keys; else the scrape.
Verdict metrics_endpoint(RequestContext& rq, const ShardServices& svc);

}  // namespace ringgate::pipeline
