// The API families an upstream may speak, and the few facts about an upstream the provider
// adapters need. Header-only and dependency-free on purpose: engine/config names formats and
// validates Azure settings with it, and the config fuzzer compiles that code without linking
// providers/.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ringgate::providers {

// kAzureOpenAi speaks OpenAI's bodies but has its own paths (deployments, api-version) and key
// header, so it is a format of its own rather than an option on kOpenAi.
enum class ApiFormat : uint8_t { kOpenAi, kAnthropic, kAzureOpenAi };

// How an OpenAI-format upstream answers /v1/responses: it serves the Responses API itself, or it
// is an OpenAI-compatible server with chat completions only (vLLM versions, llama.cpp, Ollama),
// so the gateway translates. Anthropic-format upstreams are always translated (to Messages).
enum class ResponsesApi : uint8_t { kNative, kChat };

constexpr std::optional<ResponsesApi> parse_responses_api(std::string_view name) {
  if (name == "native") return ResponsesApi::kNative;
  if (name == "chat") return ResponsesApi::kChat;
  return std::nullopt;
}

// What an adapter needs to know about one upstream, as plain values (views into the config
// snapshot, which outlives every request).
struct UpstreamTarget {
  ApiFormat format = ApiFormat::kOpenAi;
  std::string_view base_path;    // the URL's path, "" or e.g. "/v1"; never a trailing slash
  std::string_view api_version;  // Azure's api-version query value; empty for the others
  ResponsesApi responses = ResponsesApi::kNative;  // OpenAI formats only
};

// The name written in config files (`format = "azure"`).
constexpr std::string_view format_name(ApiFormat format) {
  switch (format) {
    case ApiFormat::kAnthropic:
      return "anthropic";
    case ApiFormat::kAzureOpenAi:
      return "azure";
    case ApiFormat::kOpenAi:
      break;
  }
  return "openai";
}

constexpr std::optional<ApiFormat> parse_format(std::string_view name) {
  if (name == "openai") return ApiFormat::kOpenAi;
  if (name == "anthropic") return ApiFormat::kAnthropic;
  if (name == "azure") return ApiFormat::kAzureOpenAi;
  return std::nullopt;
}

// Azure refuses requests without api-version, so config requires one; nobody else takes it.
constexpr bool needs_api_version(ApiFormat format) { return format == ApiFormat::kAzureOpenAi; }

// Azure puts the model (its deployment name) in the URL path.
constexpr bool model_in_path(ApiFormat format) { return format == ApiFormat::kAzureOpenAi; }

namespace detail {
constexpr bool url_safe_name(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}
}  // namespace detail

// A name written into a URL path segment unescaped: only characters that need no escaping, and
// never "." or "..", which would climb out of /deployments/. Clients choose the model name in
// passthrough mode, so this is what keeps it from steering the upstream path.
constexpr bool valid_deployment_name(std::string_view name) {
  return name != "." && name != ".." && detail::url_safe_name(name, 256);
}

// Written into the query string unescaped ("2024-10-21", "2025-04-01-preview").
constexpr bool valid_api_version(std::string_view version) {
  return detail::url_safe_name(version, 64);
}

}  // namespace ringgate::providers
