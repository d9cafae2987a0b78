#include "engine/pipeline/rate_limit_headers.h"

#include "engine/pipeline/response_head.h"

namespace ringgate::pipeline {

namespace {

// "<a><b><c>: " with no temporary string (these run on every admitted request).
void start_line(std::string& out, std::string_view a, std::string_view b, std::string_view c) {
  out.append(a).append(b).append(c).append(": ");
}

void number_line(std::string& out, std::string_view a, std::string_view b, std::string_view c,
                 uint64_t value) {
  start_line(out, a, b, c);
  append_number(out, value);
  out.append("\r\n");
}

void append_openai(std::string& out, std::string_view kind, const admission::BucketView& b) {
  if (!b.present) return;
  number_line(out, "x-ratelimit-limit-", kind, "", b.limit);
  number_line(out, "x-ratelimit-remaining-", kind, "", b.remaining);
  start_line(out, "x-ratelimit-reset-", kind, "");
  append_openai_duration(out, b.reset_after_ms);
  out.append("\r\n");
}

void append_anthropic(std::string& out, std::string_view kind, const admission::BucketView& b,
                      int64_t unix_s) {
  if (!b.present) return;
  number_line(out, "anthropic-ratelimit-", kind, "-limit", b.limit);
  number_line(out, "anthropic-ratelimit-", kind, "-remaining", b.remaining);
  start_line(out, "anthropic-ratelimit-", kind, "-reset");
  append_rfc3339(out, unix_s + int64_t((b.reset_after_ms + 999) / 1000));
  out.append("\r\n");
}

}  // namespace

void append_rate_limit_headers(std::string& out, const admission::LimitHeaders& h,
                               protocol::ApiFront front, int64_t unix_s) {
  if (front == protocol::ApiFront::kAnthropic) {
    append_anthropic(out, "requests", h.requests, unix_s);
    append_anthropic(out, "tokens", h.tokens, unix_s);
  } else {
    append_openai(out, "requests", h.requests);
    append_openai(out, "tokens", h.tokens);
  }
}

void append_retry_after(std::string& out, uint64_t retry_after_ms) {
  number_line(out, "Retry-After", "", "", retry_after_ms == 0 ? 1 : (retry_after_ms + 999) / 1000);
  number_line(out, "retry-after-ms", "", "", retry_after_ms);
}

}  // namespace ringgate::pipeline
