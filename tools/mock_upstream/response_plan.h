#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/mock_upstream/http_request_reader.h"
#include "tools/mock_upstream/mock_options.h"

namespace ringgate::mock_upstream {

// The options that apply to one request: process flags, overridden by x-mock-* headers.
struct RequestKnobs {
  int ttft_ms = 0;
  int interval_ms = -1;
  int tokens_per_sec = 0;
  int tokens = 0;
  int fail_status = 0;
  int disconnect_after_events = -1;
  int error_after_events = -1;
  int slow_headers_ms = 0;
  int cached_tokens = 0;  // prompt tokens reported as read from the provider's prompt cache
  int pause_after_events = -1;
  int pause_ms = 0;
  bool pause_mid_event = false;
  bool azure_first_chunk = false;
  std::string response_headers;  // "name: value\r\n" lines every answer carries
  bool usage = true;

  // Fails with a message when an x-mock-* header is not a valid number.
  static std::optional<std::string> FromRequest(const MockOptions& options,
                                                const HttpRequest& request, RequestKnobs& out);
};

// One write of a response, sent `delay_us` after the previous one.
struct ResponsePiece {
  int64_t delay_us = 0;
  std::string bytes;
  bool close = false;  // injected disconnect: drop the connection here instead
};

// A whole response decided up front, so the server loop only has to pace and write it.
struct ResponsePlan {
  int status = 200;
  bool is_stream = false;
  bool close_after = false;
  bool injected_failure = false;
  std::vector<ResponsePiece> pieces;
  // The usage object this response reports, in its API's words (Anthropic: message_start's
  // input counts merged with message_delta's output); "" when it reports none.
  std::string reported_usage;
};

enum class ApiShape { kOpenAI, kAnthropic };

const char* ReasonPhrase(int status);

// Error body in the API's own shape.
std::string ErrorBody(ApiShape api, int status, std::string_view message);

// Assembles plans: heads, Content-Length bodies, and paced chunked SSE streams.
class ResponseBuilder {
 public:
  ResponseBuilder(const RequestKnobs& knobs, bool close_after)
      : knobs_(knobs), close_(close_after) {}

  // `extra_headers` are complete "name: value\r\n" lines. `delay_head` applies --ttft-ms.
  ResponsePlan Body(int status, std::string_view content_type, std::string_view body,
                    std::string_view extra_headers, bool delay_head) const;
  ResponsePlan Error(ApiShape api, int status, std::string_view message,
                     std::string_view extra_headers) const;

  // Streams: queue SSE events (already framed, ending in "\n\n"), then build. `error_event` is
  // sent instead of the rest when --error-after-events is reached.
  void AddEvent(std::string event, bool is_content);
  ResponsePlan Stream(std::string_view extra_headers, std::string_view error_event);

 private:
  std::string Head(int status, std::string_view content_type, std::string_view framing,
                   std::string_view extra_headers) const;

  struct Event {
    std::string text;
    bool is_content;
  };
  const RequestKnobs& knobs_;
  bool close_;
  std::vector<Event> events_;
};

}  // namespace ringgate::mock_upstream
