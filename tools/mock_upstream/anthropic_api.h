#pragma once

#include "tools/mock_upstream/api_request.h"
#include "tools/mock_upstream/response_plan.h"

namespace ringgate::mock_upstream {

// POST /v1/messages: a Message object, or the real event sequence when streaming.
ResponsePlan PlanMessages(const ApiRequest& request);

// POST /v1/messages/count_tokens.
ResponsePlan PlanCountTokens(const ApiRequest& request);

}  // namespace ringgate::mock_upstream
