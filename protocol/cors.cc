#include "protocol/cors.h"

#include <array>

namespace ringgate::protocol {

namespace {

constexpr std::array<std::string_view, 7> kExactHeaders = {
    "authorization", "content-type",    "x-api-key", "api-key",
    "x-request-id",  "idempotency-key", "accept"};
constexpr std::array<std::string_view, 4> kHeaderPrefixes = {"anthropic-", "openai-",
                                                             "x-stainless-", "x-ringgate-"};

// What a page may read: the headers SDK retry logic and rate-limit displays look at.
constexpr std::string_view kExposed =
    "retry-after, retry-after-ms, x-should-retry, x-request-id, request-id, x-ringgate-cache, "
    "x-ringgate-repaired, x-ringgate-dropped-fields, "
    "x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, "
    "x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens, "
    "anthropic-ratelimit-requests-limit, anthropic-ratelimit-requests-remaining, "
    "anthropic-ratelimit-requests-reset, anthropic-ratelimit-tokens-limit, "
    "anthropic-ratelimit-tokens-remaining, anthropic-ratelimit-tokens-reset";

bool token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void append_line(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

std::string_view cors_allow_origin(std::string_view origin,
                                   const std::vector<std::string>& allowed) {
  if (origin.empty()) return {};
  bool any = false;
  for (const std::string& a : allowed) {
    if (a == origin) return origin;
    any = any || a == "*";
  }
  return any ? std::string_view("*") : std::string_view();
}

// Callers pass lowercase names (append_allowed_request_headers lowercases first).
bool cors_request_header_allowed(std::string_view name) {
  for (std::string_view e : kExactHeaders) {
    if (name == e) return true;
  }
  for (std::string_view p : kHeaderPrefixes) {
    if (name.size() > p.size() && name.substr(0, p.size()) == p) return true;
  }
  return false;
}

size_t append_allowed_request_headers(std::string& out, std::string_view requested) {
  size_t kept = 0;
  std::string name;
  while (!requested.empty()) {
    size_t comma = requested.find(',');
    std::string_view item = trim(requested.substr(0, comma));
    requested.remove_prefix(comma == std::string_view::npos ? requested.size() : comma + 1);
    if (item.empty() || item.size() > 64) continue;
    name.clear();
    bool ok = true;
    for (char c : item) {
      ok = ok && token_char(c);
      name.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c);
    }
    if (!ok || !cors_request_header_allowed(name)) continue;
    if (kept++) out.append(", ");
    out.append(name);
  }
  return kept;
}

void append_cors_preflight(std::string& out, std::string_view allow_origin,
                           std::string_view requested) {
  append_line(out, "Access-Control-Allow-Origin", allow_origin);
  append_line(out, "Vary", "Origin");
  append_line(out, "Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
  out.append("Access-Control-Allow-Headers: ");
  size_t before = out.size();
  if (append_allowed_request_headers(out, requested) == 0) out.resize(before);
  if (out.size() == before) out.append("authorization, content-type");
  out.append("\r\n");
  append_line(out, "Access-Control-Max-Age", "600");
}

void append_cors_response(std::string& out, std::string_view allow_origin) {
  append_line(out, "Access-Control-Allow-Origin", allow_origin);
  append_line(out, "Vary", "Origin");
  append_line(out, "Access-Control-Expose-Headers", kExposed);
}

}  // namespace ringgate::protocol
