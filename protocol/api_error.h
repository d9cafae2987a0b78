// The one error value of the request path: what the gateway answers a client with when it does
// not forward an upstream's own answer. Stages return it, the response writer renders it in the
// client's API shape (OpenAI or Anthropic), and nothing classifies an error by its text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::protocol {

// Which API the client speaks decides the shape of every error it gets.
enum class ApiFront : uint8_t { kOpenAi, kAnthropic };

// The catalogue of machine-readable codes (OpenAI's `code` field). One list, so each new layer
// adds its codes here and the README's table stays the whole truth.
enum class ErrorCode : uint8_t {
  kInvalidHttpRequest,
  kRequestTooLarge,
  kRequestHeaderFieldsTooLarge,
  kRequestTimeout,
  kInvalidRequestTarget,
  kMethodNotAllowed,
  kNotFound,
  kUnsupportedMediaType,
  kInvalidRequestBody,
  kModelNotFound,
  kInvalidModel,
  kMaxTokensExceeded,
  kUnsupportedEndpoint,
  kUnsupportedParameter,
  kConfigurationError,
  kUpstreamUnavailable,
  kUpstreamTimeout,
  kUpstreamError,
  kUpstreamStreamError,
  kInvalidApiKey,    // 401: missing or unknown virtual key
  kModelNotAllowed,  // 403: the key (or the anonymous tier) may not use this model or path
  kRateLimited,      // 429: a rate or concurrency limit refused; Retry-After says when
  kBudgetExceeded,   // 402: a daily, monthly or total budget is spent
  // 400: a message thread (a history the server holds between requests) was asked of an
  // upstream that holds none. Anthropic clients get it with the details their SDK's thread
  // helpers recover from: they send the whole history again without the thread.
  kThreadUnsupported,
  kConflict,  // 409: the admin API's change collides with what exists (an id taken, a config key)
};

// "model_not_found" and so on: the wire name of a code.
std::string_view error_code_name(ErrorCode code);

struct ApiError {
  ApiError() = default;
  ApiError(int s, std::string_view msg, ErrorCode c, std::string_view p = {})
      : status(s), message(msg), code(c), param(p) {}

  int status = 500;
  std::string message;
  ErrorCode code = ErrorCode::kUpstreamError;
  std::string param;  // the request field at fault, when there is one
};

// The error `type` each API uses for a status.
std::string_view openai_error_type(int status);
std::string_view anthropic_error_type(int status);

// The response body, in the client's shape.
std::string render_error_body(const ApiError& e, ApiFront front);
// The SSE event that ends a stream which failed after its first byte, in the client's shape:
// `data: {openai error}\n\n` or `event: error\ndata: {anthropic error}\n\n`.
std::string render_error_event(const ApiError& e, ApiFront front);

}  // namespace ringgate::protocol
