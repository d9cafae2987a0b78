// CORS for browser clients (the official SDKs in a page, fetch): which origins may call, what a
// preflight answers, and which response headers a page may read. Pure: builds header lines.
//
// Default deny: an origin not in the list gets no CORS headers at all (the browser then blocks
// the page), and a preflight from it is still a plain 204, never a 405 or a forwarded OPTIONS.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ringgate::protocol {

// What Access-Control-Allow-Origin says to `origin` (the Origin header): the origin itself when
// `allowed` lists it exactly, "*" when `allowed` holds "*" (so a client's text is never echoed
// unchecked), "" when it is not allowed (no CORS headers at all).
std::string_view cors_allow_origin(std::string_view origin,
                                   const std::vector<std::string>& allowed);

// The request headers a preflight may name that the gateway accepts: what the OpenAI and
// Anthropic SDKs and the AI SDK send (authorization, content-type, x-api-key, api-key,
// anthropic-*, openai-*, x-stainless-*, x-request-id, x-ringgate-*, idempotency-key, accept).
bool cors_request_header_allowed(std::string_view name);

// Appends to `out` the names in a comma-separated Access-Control-Request-Headers value that
// cors_request_header_allowed accepts, lowercased and comma-separated. Names with characters
// outside the token alphabet are skipped. Returns how many were kept.
size_t append_allowed_request_headers(std::string& out, std::string_view requested);

// Header lines answering a preflight from an allowed origin (`allow_origin` from
// cors_allow_origin, non-empty): Allow-Origin, Vary: Origin, Allow-Methods, Allow-Headers (the
// allowed subset of `requested`), Max-Age.
void append_cors_preflight(std::string& out, std::string_view allow_origin,
                           std::string_view requested);

// Header lines for an actual response to an allowed origin (streams included): Allow-Origin,
// Vary: Origin and Expose-Headers (retry-after, the rate-limit headers, request ids).
void append_cors_response(std::string& out, std::string_view allow_origin);

}  // namespace ringgate::protocol
