// The admin API's read-only endpoints (GET /admin/overview, keys, teams, deployments, cache,
// requests), answered by the local_endpoints stage behind the admin key.
#pragma once

#include "engine/pipeline/request_context.h"
#include "engine/pipeline/shard_services.h"
#include "engine/pipeline/verdict.h"

namespace ringgate::pipeline {

// Under "/admin/" and not the console page itself ("/admin" and "/admin/").
bool is_admin_api_request(const RequestContext& rq);
// 403 without an admin key configured, 401 without the right one, 405 for a method other than
// GET, 404 for an unknown view, 400 for a bad query; else the view's JSON.
Verdict admin_endpoint(RequestContext& rq, const ShardServices& svc);

}  // namespace ringgate::pipeline
