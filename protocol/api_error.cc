#include "protocol/api_error.h"

#include "protocol/error_body.h"

namespace ringgate::protocol {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidHttpRequest:
      return "invalid_http_request";
    case ErrorCode::kRequestTooLarge:
      return "request_too_large";
    case ErrorCode::kRequestHeaderFieldsTooLarge:
      return "request_header_fields_too_large";
    case ErrorCode::kRequestTimeout:
      return "request_timeout";
    case ErrorCode::kInvalidRequestTarget:
      return "invalid_request_target";
    case ErrorCode::kMethodNotAllowed:
      return "method_not_allowed";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kUnsupportedMediaType:
      return "unsupported_media_type";
    case ErrorCode::kInvalidRequestBody:
      return "invalid_request_body";
    case ErrorCode::kModelNotFound:
      return "model_not_found";
    case ErrorCode::kInvalidModel:
      return "invalid_model";
    case ErrorCode::kMaxTokensExceeded:
      return "max_tokens_exceeded";
    case ErrorCode::kUnsupportedEndpoint:
      return "unsupported_endpoint";
    case ErrorCode::kUnsupportedParameter:
      return "unsupported_parameter";
    case ErrorCode::kConfigurationError:
      return "configuration_error";
    case ErrorCode::kUpstreamUnavailable:
      return "upstream_unavailable";
    case ErrorCode::kUpstreamTimeout:
      return "upstream_timeout";
    case ErrorCode::kUpstreamError:
      return "upstream_error";
    case ErrorCode::kUpstreamStreamError:
      return "upstream_stream_error";
    case ErrorCode::kInvalidApiKey:
      return "invalid_api_key";
    case ErrorCode::kModelNotAllowed:
      return "model_not_allowed";
    case ErrorCode::kRateLimited:
      return "rate_limit_exceeded";
    case ErrorCode::kBudgetExceeded:
      return "budget_exceeded";
    case ErrorCode::kThreadUnsupported:
      return "thread_unsupported_request";
    case ErrorCode::kConflict:
      return "conflict";
  }
  return "internal_error";
}

std::string_view openai_error_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 402:
      return "insufficient_quota";  // what OpenAI answers when an account's quota is spent
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 408:
    case 504:
      return "timeout_error";
    case 429:
      return "rate_limit_error";
    case 502:
      return "upstream_error";
    default:
      return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    case 504:
      return "timeout_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::string render_error_body(const ApiError& e, ApiFront front) {
  if (front == ApiFront::kAnthropic) {
    if (e.code == ErrorCode::kThreadUnsupported) {
      // What the Anthropic SDK's message threads read (error.details.error_code, .unsupported)
      // to go on without a thread.
      std::string details = R"({"error_code":"thread_unsupported_request","unsupported":[)";
      if (!e.param.empty()) {
        details += '"';
        append_json_escaped(details, e.param);
        details += '"';
      }
      details += "]}";
      return anthropic_error_body(anthropic_error_type(e.status), e.message, details);
    }
    return anthropic_error_body(anthropic_error_type(e.status), e.message);
  }
  return openai_error_body(e.message, openai_error_type(e.status), error_code_name(e.code),
                           e.param);
}

std::string render_error_event(const ApiError& e, ApiFront front) {
  std::string ev = front == ApiFront::kAnthropic ? "event: error\ndata: " : "data: ";
  ev += render_error_body(e, front);
  ev += "\n\n";
  return ev;
}

}  // namespace ringgate::protocol
