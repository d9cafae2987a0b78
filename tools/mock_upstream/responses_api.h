#pragma once

#include "tools/mock_upstream/api_request.h"
#include "tools/mock_upstream/response_plan.h"

namespace ringgate::mock_upstream {

// POST /v1/responses (OpenAI's Responses API): a message with the mock's text, or a function_call
// item when function tools are offered, the last turn is the user's and no function_call_output
// is in the input yet (an agent's loop gets one call, then text; --tool / --tool-input choose the
// call as for chat). Streamed as the named events the SDKs and Codex read: response.created,
// response.in_progress, output_item.added, the deltas, output_item.done, response.completed.
ResponsePlan PlanResponse(const ApiRequest& request);

}  // namespace ringgate::mock_upstream
