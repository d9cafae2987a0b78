#pragma once

#include "tools/mock_upstream/api_request.h"
#include "tools/mock_upstream/response_plan.h"

namespace ringgate::mock_upstream {

// OpenAI endpoints: realistic response shapes, streamed as chat.completion.chunk SSE and friends.
ResponsePlan PlanChatCompletion(const ApiRequest& request);
ResponsePlan PlanCompletion(const ApiRequest& request);
ResponsePlan PlanEmbeddings(const ApiRequest& request);

// Shared by the OpenAI-shaped endpoints (chat, completions, embeddings, responses_api.cc): the
// response headers OpenAI sends, and a 400 in OpenAI's error shape.
std::string OpenAiHeaders();
ResponsePlan OpenAiBadRequest(const ApiRequest& r, std::string_view message);

// GET /v1/models (Anthropic's list shape when the client sent anthropic-version), and
// GET /v1/models/ID when `model_id` is not empty.
ResponsePlan PlanModels(const HttpRequest& http, const MockOptions& options,
                        const RequestKnobs& knobs, bool close_after, std::string_view model_id);

}  // namespace ringgate::mock_upstream
