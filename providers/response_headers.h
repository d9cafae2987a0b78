// The upstream response headers a client acts on, carried across translation: what the SDKs read
// to decide whether and when to retry (retry-after, retry-after-ms, x-should-retry) and the
// rate-limit headers, rewritten from one API's dialect into the other's:
//
//   OpenAI     x-ratelimit-{limit,remaining,reset}-{requests,tokens}     reset: a duration, "6m0s"
//   Anthropic  anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,
//              reset}                                                    reset: RFC 3339, "...Z"
//
// Pure: header views in, header lines ("name: value\r\n") out; the caller gives the time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "protocol/api_error.h"
#include "protocol/http_header.h"

namespace ringgate::providers {

// x-ratelimit-* or anthropic-ratelimit-* (any case).
bool is_rate_limit_header(std::string_view name);

// OpenAI's reset durations, as Go's time.Duration prints them: "20ms", "1s", "1.5s", "6m0s",
// "1h0m0s" (units h, m, s, ms, us, µs, ns, each number optionally with a fraction). Rounded up to
// whole milliseconds. False for anything else, or beyond 10^12 ms.
bool parse_openai_duration(std::string_view text, uint64_t& ms);
// The inverse, as OpenAI writes them: "0ms", "20ms", "1s", "1.005s", "6m0s", "1h0m0s".
void append_openai_duration(std::string& out, uint64_t ms);

// RFC 3339 date-times: "2026-12-02T03:04:05Z", with an optional fraction and a "Z" or "+hh:mm" /
// "-hh:mm" offset ('T' and 'Z' in either case). Years 1970..9999. Milliseconds since the epoch
// (a fraction is truncated to milliseconds). False for anything else.
bool parse_rfc3339(std::string_view text, int64_t& unix_ms);
// "2026-12-02T03:04:05Z", whole seconds in UTC.
void append_rfc3339(std::string& out, int64_t unix_s);

// Appends the rate-limit headers among `headers`, written in `from`'s dialect, as header lines in
// `to`'s. The same dialect copies every rate-limit header as it is (Anthropic's unified and
// priority ones too); across dialects only the ones above map, each value checked (limits and
// remaining are decimal integers, resets parse), the rest dropped. Anthropic's `tokens` group
// becomes OpenAI's tokens; without it, the tighter (less remaining) of input-tokens and
// output-tokens does. OpenAI's tokens become Anthropic's `tokens`. A reset becomes `now_unix_ms`
// plus the duration, rounded up to the second, or the time minus now (never below 0).
void translate_rate_limit_headers(std::span<const protocol::HttpHeader> headers,
                                  protocol::ApiFront from, protocol::ApiFront to,
                                  int64_t now_unix_ms, std::string& out);

struct CarriedHeaderOptions {
  protocol::ApiFront from = protocol::ApiFront::kOpenAi;  // the upstream's API
  protocol::ApiFront to = protocol::ApiFront::kOpenAi;    // the client's
  // False when the gateway writes the caller's own rate limits (its headers win).
  bool rate_limits = true;
  int64_t now_unix_ms = 0;
};

// What a translated response carries over from the upstream's head: retry-after, retry-after-ms
// and x-should-retry as they are, and (with options.rate_limits) the rate-limit headers in the
// client's dialect.
void append_carried_headers(std::span<const protocol::HttpHeader> headers,
                            const CarriedHeaderOptions& options, std::string& out);

}  // namespace ringgate::providers
