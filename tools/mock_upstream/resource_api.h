#pragma once

#include <simdjson.h>

#include <optional>

#include "tools/mock_upstream/http_request_reader.h"
#include "tools/mock_upstream/response_plan.h"

namespace ringgate::mock_upstream {

// The API paths beyond generation, answered minimally but in their real shapes, and statelessly
// (an id encodes what the answer needs): files (Anthropic's shape when the request carries
// anthropic-version, else OpenAI's), Anthropic's message batches and legacy text completions.
//   POST /v1/files (multipart/form-data, a part named "file"), GET /v1/files,
//   GET|DELETE /v1/files/{id}, GET /v1/files/{id}/content
//   POST|GET /v1/messages/batches, GET|DELETE /v1/messages/batches/{id},
//   POST /v1/messages/batches/{id}/cancel, GET /v1/messages/batches/{id}/results (JSONL)
//   POST /v1/complete (stream or not)
// nullopt: the path is none of these.
std::optional<ResponsePlan> PlanResource(const HttpRequest& request, const RequestKnobs& knobs,
                                         bool close_after, simdjson::dom::parser& parser);

}  // namespace ringgate::mock_upstream
