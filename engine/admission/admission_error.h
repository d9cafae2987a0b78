// A refusal as the client sees it: the ApiError (status, code, message) the response writer
// renders in the client's API shape. Only on refusal, so the message may allocate.
#pragma once

#include <string_view>

#include "engine/admission/admission_decision.h"
#include "protocol/api_error.h"

namespace ringgate::admission {

// `model` names the model in a 403's message; the presented key never appears in any message.
protocol::ApiError to_api_error(const Refusal& refusal, std::string_view model = {});

}  // namespace ringgate::admission
