#include "protocol/api_error.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "protocol/error_body.h"

namespace ringgate::protocol {
namespace {

TEST(ApiError, OpenAiShapeCarriesTypeCodeAndParam) {
  const ApiError e{400, "max_tokens 5000 exceeds 1000", ErrorCode::kMaxTokensExceeded,
                   "max_tokens"};
  EXPECT_EQ(
      render_error_body(e, ApiFront::kOpenAi),
      openai_error_body(e.message, "invalid_request_error", "max_tokens_exceeded", "max_tokens"));
}

TEST(ApiError, AnthropicShapeCarriesTheAnthropicType) {
  const ApiError e{503, "busy", ErrorCode::kUpstreamUnavailable, {}};
  EXPECT_EQ(render_error_body(e, ApiFront::kAnthropic),
            anthropic_error_body("overloaded_error", "busy"));
}

TEST(ApiError, EveryCodeHasItsOwnWireName) {
  std::vector<std::string_view> seen;
  for (int c = 0; c <= int(ErrorCode::kBudgetExceeded); ++c) {
    std::string_view name = error_code_name(ErrorCode(c));
    EXPECT_NE(name, "internal_error") << c;
    for (std::string_view s : seen) EXPECT_NE(s, name);
    seen.push_back(name);
  }
}

TEST(ApiError, StreamEventsEndWithABlankLine) {
  const ApiError e{502, "upstream failed", ErrorCode::kUpstreamStreamError, {}};
  const std::string openai = render_error_event(e, ApiFront::kOpenAi);
  EXPECT_EQ(openai, "data: " + render_error_body(e, ApiFront::kOpenAi) + "\n\n");
  EXPECT_EQ(openai.find('\n'), openai.size() - 2);
  EXPECT_EQ(render_error_event(e, ApiFront::kAnthropic),
            "event: error\ndata: " + anthropic_error_body("api_error", "upstream failed") + "\n\n");
}

TEST(ApiError, TypesFollowEachApisConventions) {
  EXPECT_EQ(openai_error_type(404), "not_found_error");
  EXPECT_EQ(openai_error_type(502), "upstream_error");
  EXPECT_EQ(openai_error_type(500), "server_error");
  EXPECT_EQ(openai_error_type(422), "invalid_request_error");
  EXPECT_EQ(anthropic_error_type(413), "request_too_large");
  EXPECT_EQ(anthropic_error_type(529), "overloaded_error");
  EXPECT_EQ(anthropic_error_type(502), "api_error");
}

TEST(ApiError, AdmissionStatusesUseEachApisTypes) {
  EXPECT_EQ(openai_error_type(401), "authentication_error");
  EXPECT_EQ(openai_error_type(403), "permission_error");
  EXPECT_EQ(openai_error_type(429), "rate_limit_error");
  EXPECT_EQ(openai_error_type(402), "insufficient_quota");
  EXPECT_EQ(anthropic_error_type(402), "billing_error");
  EXPECT_EQ(anthropic_error_type(429), "rate_limit_error");
  EXPECT_EQ(error_code_name(ErrorCode::kInvalidApiKey), "invalid_api_key");
}

}  // namespace
}  // namespace ringgate::protocol
