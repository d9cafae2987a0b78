// The rate-limit headers clients read, describing the caller's own key (its tightest buckets), in
// the client's dialect: OpenAI's x-ratelimit-* (resets as durations, "6m0s") or Anthropic's
// anthropic-ratelimit-* (resets as RFC 3339 times); and Retry-After on a refusal.
#pragma once

#include <cstdint>
#include <string>

#include "engine/admission/limit_set.h"
#include "protocol/api_error.h"
#include "providers/response_headers.h"

namespace ringgate::pipeline {

// Appends nothing for a bucket that is not present (a caller without that kind of limit).
void append_rate_limit_headers(std::string& out, const admission::LimitHeaders& h,
                               protocol::ApiFront front, int64_t unix_s);
// "Retry-After" in whole seconds, rounded up and never 0, and "retry-after-ms" exactly.
void append_retry_after(std::string& out, uint64_t retry_after_ms);
// OpenAI's reset duration ("20ms", "1s", "1.5s", "6m0s", "1h0m0s") and "2026-12-02T03:04:05Z":
// the providers' formatters, which also translate the upstream's headers.
using providers::append_openai_duration;
using providers::append_rfc3339;

}  // namespace ringgate::pipeline
