#include "tools/mock_upstream/request_router.h"

#include <chrono>

#include "tools/mock_upstream/anthropic_api.h"
#include "tools/mock_upstream/api_request.h"
#include "tools/mock_upstream/openai_api.h"
#include "tools/mock_upstream/resource_api.h"
#include "tools/mock_upstream/responses_api.h"

namespace ringgate::mock_upstream {
namespace {

const RequestKnobs kNoDelays{};

bool HasCredential(const HttpRequest& request) {
  for (const char* name : {"authorization", "x-api-key"}) {
    const std::string* value = request.Find(name);
    if (value != nullptr && !value->empty()) return true;
  }
  return false;
}

}  // namespace

ResponsePlan RequestRouter::ProtocolError(int status, std::string_view message) {
  stats_.bad_requests.fetch_add(1, std::memory_order_relaxed);
  return ResponseBuilder(kNoDelays, true).Error(ApiShape::kOpenAI, status, message, "");
}

uint64_t RequestRouter::UptimeMs() {
  static const auto started = std::chrono::steady_clock::now();
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count());
}

ResponsePlan RequestRouter::Route(const HttpRequest& request) {
  bool close_after = options_.close_after_response || !request.keep_alive;
  ResponseBuilder plain(kNoDelays, close_after);
  const std::string& path = request.path;
  const uint64_t uptime = UptimeMs();
  const bool loading = uptime < uint64_t(options_.startup_delay_ms);
  if (path == "/health" && request.method == "GET") {
    stats_.RecordHealthCheck(uptime);
    if (loading) return plain.Body(503, "application/json", "{\"status\":\"loading\"}", "", false);
  } else if (loading && !path.starts_with("/mock/")) {
    return plain.Error(ApiShape::kOpenAI, 503, "loading model", "");
  }
  if (path.starts_with("/mock/") || path == "/health") {
    bool get = request.method == "GET";
    if (path == "/mock/stats" && get) {
      return plain.Body(200, "application/json", stats_.StatsJson(), "", false);
    }
    if (path == "/mock/last_request" && get) {
      return plain.Body(200, "application/json", stats_.LastRequestJson(), "", false);
    }
    if (path == "/mock/requests" && get) {
      return plain.Body(200, "application/json", stats_.RecentRequestsJson(), "", false);
    }
    if (path == "/mock/usage_log" && get) {
      return plain.Body(200, "application/json", stats_.UsageLogJson(), "", false);
    }
    if (path == "/mock/reset" && request.method == "POST") {
      stats_.Reset();
      return plain.Body(200, "application/json", "{\"ok\":true}", "", false);
    }
    if (path == "/health" && get) {
      return plain.Body(200, "application/json", "{\"status\":\"ok\"}", "", false);
    }
    return plain.Error(ApiShape::kOpenAI, 404, "unknown mock endpoint", "");
  }
  return RouteApi(request, close_after);
}

ResponsePlan RequestRouter::RouteApi(const HttpRequest& request, bool close_after) {
  uint64_t sequence = stats_.requests.fetch_add(1, std::memory_order_relaxed) + 1;
  stats_.RecordRequest(request);
  const std::string& path = request.path;
  // Anthropic's own paths, and on the shared ones (files, models) a client that says it is one.
  const bool anthropic_path = path.starts_with("/v1/messages") || path == "/v1/complete";
  const bool shared_path = path.starts_with("/v1/files") || path.starts_with("/v1/models");
  ApiShape shape = anthropic_path || (shared_path && request.Find("anthropic-version") != nullptr)
                       ? ApiShape::kAnthropic
                       : ApiShape::kOpenAI;
  RequestKnobs knobs;
  if (auto error = RequestKnobs::FromRequest(options_, request, knobs)) {
    return ResponseBuilder(kNoDelays, close_after).Error(shape, 400, *error, "");
  }
  ResponseBuilder builder(knobs, close_after);
  if (options_.require_key && !HasCredential(request)) {
    return builder.Error(shape, 401,
                         shape == ApiShape::kAnthropic
                             ? "x-api-key header is required"
                             : "You didn't provide an API key. Provide it in the Authorization "
                               "header (Authorization: Bearer YOUR_KEY).",
                         "");
  }
  bool forced_failure = request.Find("x-mock-fail-status") != nullptr;
  if (knobs.fail_status != 0 &&
      (forced_failure || sequence % static_cast<uint64_t>(options_.fail_every) == 0)) {
    stats_.failures_injected.fetch_add(1, std::memory_order_relaxed);
    ResponsePlan plan = builder.Error(shape, knobs.fail_status, "mock injected failure", "");
    plan.injected_failure = true;
    return plan;
  }

  const bool get = request.method == "GET";
  const bool post = request.method == "POST";
  if (path == "/v1/models" || path.starts_with("/v1/models/")) {
    if (!get) return builder.Error(shape, 405, "use GET", "allow: GET\r\n");
    std::string_view id = std::string_view(path).substr(std::string_view("/v1/models").size());
    if (!id.empty()) id.remove_prefix(1);
    if (path.size() > 11 && id.empty()) return builder.Error(shape, 404, "no such model", "");
    return PlanModels(request, options_, knobs, close_after, id);
  }
  if (auto plan = PlanResource(request, knobs, close_after, parser_)) return std::move(*plan);
  using Handler = ResponsePlan (*)(const ApiRequest&);
  Handler handler = nullptr;
  if (path == "/v1/chat/completions") {
    handler = PlanChatCompletion;
  } else if (path == "/v1/completions") {
    handler = PlanCompletion;
  } else if (path == "/v1/responses") {
    handler = PlanResponse;
  } else if (path == "/v1/embeddings") {
    handler = PlanEmbeddings;
  } else if (path == "/v1/messages") {
    handler = PlanMessages;
  } else if (path == "/v1/messages/count_tokens") {
    handler = PlanCountTokens;
  } else {
    return builder.Error(shape, 404, "Unknown request URL: " + request.method + " " + path, "");
  }
  if (!post) return builder.Error(shape, 405, "use POST", "allow: POST\r\n");
  simdjson::dom::element body;
  if (parser_.parse(request.body).get(body) != simdjson::SUCCESS || !body.is_object()) {
    return builder.Error(shape, 400, "request body is not a valid JSON object", "");
  }
  ResponsePlan plan = handler(ApiRequest{request, body, options_, knobs, close_after});
  const std::string* tag = request.Find("x-mock-usage-tag");
  if (tag != nullptr && !plan.reported_usage.empty()) {
    stats_.RecordUsage(*tag, shape == ApiShape::kAnthropic ? "anthropic" : "openai",
                       plan.reported_usage);
  }
  return plan;
}

}  // namespace ringgate::mock_upstream
