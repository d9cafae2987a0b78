// The operator console's page (issue 18): GET/HEAD /admin and /admin/ answer the HTML, and
// /admin/console.js and /admin/console.css its script and style. No auth: the page holds no
// data; it asks for the admin key and calls the admin API with it. Answered by the
// local_endpoints stage.
#pragma once

#include "engine/pipeline/request_context.h"
#include "engine/pipeline/verdict.h"

namespace ringgate::pipeline {

// The path is one of the page's own; every other /admin/... path belongs to the admin API.
bool is_admin_page_request(const RequestContext& rq);
// The file, with a strict Content-Security-Policy and no caching; 405 for a method other than
// GET or HEAD.
Verdict admin_page(RequestContext& rq);

}  // namespace ringgate::pipeline
