#include "tools/mock_upstream/response_plan.h"

#include <charconv>

#include "tools/mock_upstream/json_text.h"

namespace ringgate::mock_upstream {
namespace {

constexpr int64_t kUsPerMs = 1000;

std::optional<std::string> OverrideInt(const HttpRequest& request, std::string_view name, int min,
                                       int max, int& target) {
  const std::string* value = request.Find(name);
  if (value == nullptr) return std::nullopt;
  int parsed = 0;
  auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
  if (value->empty() || ec != std::errc() || ptr != value->data() + value->size() || parsed < min ||
      parsed > max) {
    return "invalid " + std::string(name) + " header";
  }
  target = parsed;
  return std::nullopt;
}

void AppendChunk(std::string& out, std::string_view data) {
  char size[20];
  auto [end, ec] = std::to_chars(size, size + sizeof(size), data.size(), 16);
  out.append(size, end);
  out += "\r\n";
  out += data;
  out += "\r\n";
}

// Adds `bytes` to the plan, merging with the previous piece when nothing separates them in time.
void AddPiece(ResponsePlan& plan, int64_t delay_us, std::string_view bytes) {
  if (delay_us == 0 && !plan.pieces.empty() && !plan.pieces.back().close) {
    plan.pieces.back().bytes += bytes;
    return;
  }
  plan.pieces.push_back({delay_us, std::string(bytes), false});
}

struct ErrorKind {
  const char* openai_type;
  const char* openai_code;  // nullptr: JSON null
  const char* anthropic_type;
};

ErrorKind KindFor(int status) {
  switch (status) {
    case 400:
      return {"invalid_request_error", nullptr, "invalid_request_error"};
    case 401:
      return {"invalid_request_error", "invalid_api_key", "authentication_error"};
    case 403:
      return {"invalid_request_error", "unsupported_country_region_territory", "permission_error"};
    case 404:
      return {"invalid_request_error", "not_found", "not_found_error"};
    case 405:
      return {"invalid_request_error", "method_not_allowed", "invalid_request_error"};
    case 413:
      return {"invalid_request_error", "request_too_large", "request_too_large"};
    case 429:
      return {"requests", "rate_limit_exceeded", "rate_limit_error"};
    case 529:
      return {"server_error", "overloaded", "overloaded_error"};
    default:
      if (status >= 500) return {"server_error", nullptr, "api_error"};
      return {"invalid_request_error", nullptr, "invalid_request_error"};
  }
}

}  // namespace

std::optional<std::string> RequestKnobs::FromRequest(const MockOptions& options,
                                                     const HttpRequest& request,
                                                     RequestKnobs& out) {
  out.ttft_ms = options.ttft_ms;
  out.interval_ms = options.interval_ms;
  out.tokens_per_sec = options.tokens_per_sec;
  out.tokens = options.tokens;
  out.fail_status = options.fail_status;
  out.disconnect_after_events = options.disconnect_after_events;
  out.error_after_events = options.error_after_events;
  out.slow_headers_ms = options.slow_headers_ms;
  out.usage = options.usage;
  out.pause_after_events = options.pause_after_events;
  out.pause_ms = options.pause_ms;
  out.pause_mid_event = options.pause_mid_event;
  out.azure_first_chunk = options.azure_first_chunk;
  out.response_headers = options.response_headers;
  constexpr std::string_view kHeaderPrefix = "x-mock-header-";
  for (const HttpHeader& h : request.headers) {
    if (h.name.size() > kHeaderPrefix.size() && h.name.starts_with(kHeaderPrefix)) {
      out.response_headers.append(h.name.substr(kHeaderPrefix.size())).append(": ");
      out.response_headers.append(h.value).append("\r\n");
    }
  }
  int pause_mid_event = out.pause_mid_event ? 1 : 0;
  int azure_first_chunk = out.azure_first_chunk ? 1 : 0;
  constexpr int kMaxMs = 3600 * 1000;
  for (auto error :
       {OverrideInt(request, "x-mock-ttft-ms", 0, kMaxMs, out.ttft_ms),
        OverrideInt(request, "x-mock-interval-ms", 0, kMaxMs, out.interval_ms),
        OverrideInt(request, "x-mock-tokens-per-sec", 0, 1000000, out.tokens_per_sec),
        OverrideInt(request, "x-mock-tokens", 0, kMaxMockTokens, out.tokens),
        OverrideInt(request, "x-mock-fail-status", 400, 599, out.fail_status),
        OverrideInt(request, "x-mock-disconnect-after-events", 0, 1000000000,
                    out.disconnect_after_events),
        OverrideInt(request, "x-mock-error-after-events", 0, 1000000000, out.error_after_events),
        OverrideInt(request, "x-mock-slow-headers-ms", 0, kMaxMs, out.slow_headers_ms),
        OverrideInt(request, "x-mock-cached-tokens", 0, kMaxMockTokens, out.cached_tokens),
        OverrideInt(request, "x-mock-pause-after-events", 0, 1000000000, out.pause_after_events),
        OverrideInt(request, "x-mock-pause-ms", 0, kMaxMs, out.pause_ms),
        OverrideInt(request, "x-mock-pause-mid-event", 0, 1, pause_mid_event),
        OverrideInt(request, "x-mock-azure-first-chunk", 0, 1, azure_first_chunk)}) {
    if (error) return error;
  }
  out.pause_mid_event = pause_mid_event == 1;
  out.azure_first_chunk = azure_first_chunk == 1;
  return std::nullopt;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    case 529:
      return "Overloaded";
    default:
      return status < 500 ? "Client Error" : "Server Error";
  }
}

std::string ErrorBody(ApiShape api, int status, std::string_view message) {
  ErrorKind kind = KindFor(status);
  std::string out;
  if (api == ApiShape::kAnthropic) {
    out = "{\"type\":\"error\",\"error\":{\"type\":\"";
    out += kind.anthropic_type;
    out += "\",\"message\":";
    AppendJsonString(out, message);
    out += "}}";
    return out;
  }
  out = "{\"error\":{\"message\":";
  AppendJsonString(out, message);
  out += ",\"type\":\"";
  out += kind.openai_type;
  out += "\",\"param\":null,\"code\":";
  if (kind.openai_code == nullptr) {
    out += "null";
  } else {
    out += '"';
    out += kind.openai_code;
    out += '"';
  }
  out += "}}";
  return out;
}

std::string ResponseBuilder::Head(int status, std::string_view content_type,
                                  std::string_view framing, std::string_view extra_headers) const {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + ReasonPhrase(status) + "\r\n";
  head += "content-type: ";
  head += content_type;
  head += "\r\n";
  head += framing;
  head += "server: ringgate-mock\r\n";
  if (close_) head += "connection: close\r\n";
  head += extra_headers;
  head += knobs_.response_headers;
  head += "\r\n";
  return head;
}

ResponsePlan ResponseBuilder::Body(int status, std::string_view content_type, std::string_view body,
                                   std::string_view extra_headers, bool delay_head) const {
  ResponsePlan plan;
  plan.status = status;
  plan.close_after = close_;
  std::string head = Head(status, content_type,
                          "content-length: " + std::to_string(body.size()) + "\r\n", extra_headers);
  int64_t head_delay = delay_head ? knobs_.ttft_ms * kUsPerMs : 0;
  if (knobs_.slow_headers_ms > 0) {
    size_t status_line_end = head.find("\r\n") + 2;
    AddPiece(plan, head_delay, std::string_view(head).substr(0, status_line_end));
    plan.pieces.push_back({knobs_.slow_headers_ms * kUsPerMs, head.substr(status_line_end), false});
  } else {
    plan.pieces.push_back({head_delay, std::move(head), false});
  }
  plan.pieces.back().bytes += body;
  return plan;
}

ResponsePlan ResponseBuilder::Error(ApiShape api, int status, std::string_view message,
                                    std::string_view extra_headers) const {
  std::string headers(extra_headers);
  const bool own_retry_after = knobs_.response_headers.starts_with("retry-after:") ||
                               knobs_.response_headers.find("\nretry-after:") != std::string::npos;
  if ((status == 429 || status == 503 || status == 529) && !own_retry_after) {
    headers += "retry-after: 1\r\n";
  }
  return Body(status, "application/json", ErrorBody(api, status, message), headers, true);
}

void ResponseBuilder::AddEvent(std::string event, bool is_content) {
  events_.push_back({std::move(event), is_content});
}

ResponsePlan ResponseBuilder::Stream(std::string_view extra_headers, std::string_view error_event) {
  ResponsePlan plan;
  plan.is_stream = true;
  plan.close_after = close_;
  std::string head =
      Head(200, "text/event-stream; charset=utf-8",
           "transfer-encoding: chunked\r\ncache-control: no-cache\r\n", extra_headers);
  if (knobs_.slow_headers_ms > 0) {
    size_t status_line_end = head.find("\r\n") + 2;
    AddPiece(plan, 0, std::string_view(head).substr(0, status_line_end));
    plan.pieces.push_back({knobs_.slow_headers_ms * kUsPerMs, head.substr(status_line_end), false});
  } else {
    AddPiece(plan, 0, head);
  }
  std::string framed;
  for (size_t i = 0; i <= events_.size(); ++i) {
    if (knobs_.disconnect_after_events >= 0 &&
        static_cast<size_t>(knobs_.disconnect_after_events) == i) {
      plan.pieces.push_back({0, std::string(), true});
      return plan;
    }
    if (knobs_.error_after_events >= 0 && static_cast<size_t>(knobs_.error_after_events) == i &&
        i < events_.size()) {
      framed.clear();
      AppendChunk(framed, error_event);
      framed += "0\r\n\r\n";
      AddPiece(plan, i == 0 ? knobs_.ttft_ms * kUsPerMs : 0, framed);
      return plan;
    }
    if (i == events_.size()) break;
    int64_t delay = 0;
    if (i == 0) {
      delay = knobs_.ttft_ms * kUsPerMs;
    } else if (knobs_.interval_ms >= 0) {
      delay = knobs_.interval_ms * kUsPerMs;
    } else if (knobs_.tokens_per_sec > 0 && events_[i].is_content) {
      delay = 1000000 / knobs_.tokens_per_sec;
    }
    const bool pause_here =
        knobs_.pause_after_events >= 0 && static_cast<size_t>(knobs_.pause_after_events) == i;
    if (pause_here && knobs_.pause_mid_event) {
      // Half of the event, the silence, then the rest: a reader sees a partial event meanwhile.
      const std::string_view text = events_[i].text;
      const size_t half = text.size() / 2;
      framed.clear();
      AppendChunk(framed, text.substr(0, half));
      AddPiece(plan, delay, framed);
      framed.clear();
      AppendChunk(framed, text.substr(half));
      plan.pieces.push_back({knobs_.pause_ms * kUsPerMs, framed, false});
      continue;
    }
    if (pause_here) delay += knobs_.pause_ms * kUsPerMs;
    framed.clear();
    AppendChunk(framed, events_[i].text);
    AddPiece(plan, delay, framed);
  }
  AddPiece(plan, 0, "0\r\n\r\n");
  return plan;
}

}  // namespace ringgate::mock_upstream
