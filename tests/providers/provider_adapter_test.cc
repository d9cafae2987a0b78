// The provider adapters: upstream paths (Azure's deployment form included), credential and
// default headers, the client endpoint x upstream format matrix, and the single transform entry
// points in both directions.
#include "providers/provider_adapter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ringgate::providers {
namespace {

constexpr UpstreamTarget kOpenAi{ApiFormat::kOpenAi, "/v1", {}};
constexpr UpstreamTarget kAnthropic{ApiFormat::kAnthropic, "/v1", {}};
constexpr UpstreamTarget kAzure{ApiFormat::kAzureOpenAi, "", "2024-10-21"};
constexpr UpstreamTarget kChatOnly{ApiFormat::kOpenAi, "/v1", {}, ResponsesApi::kChat};

std::string target_of(const UpstreamTarget& t, std::string_view endpoint, std::string_view model,
                      std::string_view query = {}) {
  std::string out;
  append_request_target(t, endpoint, model, query, out);
  return out;
}

std::string headers_of(ApiFormat f, std::string_view key,
                       std::vector<std::string_view> client_sent = {}) {
  std::string out;
  append_provider_headers(
      f, key,
      [&](std::string_view name) {
        for (std::string_view s : client_sent) {
          if (s == name) return true;
        }
        return false;
      },
      out);
  return out;
}

// --- formats ---

TEST(ApiFormat, NamesRoundTripAndUnknownNamesAreRefused) {
  for (ApiFormat f : {ApiFormat::kOpenAi, ApiFormat::kAnthropic, ApiFormat::kAzureOpenAi}) {
    EXPECT_EQ(parse_format(format_name(f)), f);
  }
  EXPECT_EQ(format_name(ApiFormat::kAzureOpenAi), "azure");
  EXPECT_FALSE(parse_format("Azure"));
  EXPECT_FALSE(parse_format("gemini"));
  EXPECT_TRUE(needs_api_version(ApiFormat::kAzureOpenAi));
  EXPECT_FALSE(needs_api_version(ApiFormat::kOpenAi));
  EXPECT_FALSE(needs_api_version(ApiFormat::kAnthropic));
}

TEST(ApiFormat, DeploymentNamesCannotSteerThePath) {
  EXPECT_TRUE(valid_deployment_name("gpt-4o-mini"));
  EXPECT_TRUE(valid_deployment_name("my_deploy.v2"));
  for (std::string_view bad : {"", ".", "..", "a/b", "a?b", "a#b", "a%2fb", "a b", "a&b"}) {
    EXPECT_FALSE(valid_deployment_name(bad)) << bad;
  }
  EXPECT_FALSE(valid_deployment_name(std::string(257, 'a')));
  EXPECT_TRUE(valid_api_version("2025-04-01-preview"));
  EXPECT_FALSE(valid_api_version(""));
  EXPECT_FALSE(valid_api_version("2024&x=1"));
}

// --- paths ---

TEST(RequestTarget, OpenAiAppendsEndpointAndClientQueryToTheBasePath) {
  EXPECT_EQ(target_of(kOpenAi, "/chat/completions", "gpt-4o"), "/v1/chat/completions");
  EXPECT_EQ(target_of(kOpenAi, "/models", {}, "limit=5"), "/v1/models?limit=5");
  const UpstreamTarget root{ApiFormat::kOpenAi, "", {}};
  EXPECT_EQ(target_of(root, "/embeddings", "e"), "/embeddings");
}

TEST(RequestTarget, AnthropicAppendsEndpointAndClientQueryToTheBasePath) {
  EXPECT_EQ(target_of(kAnthropic, "/messages", "claude"), "/v1/messages");
  EXPECT_EQ(target_of(kAnthropic, "/models", {}, "limit=2"), "/v1/models?limit=2");
}

TEST(RequestTarget, AzureNamesTheDeploymentAndApiVersion) {
  EXPECT_EQ(target_of(kAzure, "/chat/completions", "prod-4o"),
            "/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21");
  EXPECT_EQ(target_of(kAzure, "/embeddings", "emb"),
            "/openai/deployments/emb/embeddings?api-version=2024-10-21");
  EXPECT_EQ(target_of(kAzure, "/completions", "inst"),
            "/openai/deployments/inst/completions?api-version=2024-10-21");
}

TEST(RequestTarget, AzureResourceLevelEndpointsSitUnderOpenai) {
  EXPECT_EQ(target_of(kAzure, "/models", {}), "/openai/models?api-version=2024-10-21");
  EXPECT_EQ(target_of(kAzure, "/responses", "prod-4o"), "/openai/responses?api-version=2024-10-21");
}

TEST(RequestTarget, AzureKeepsTheBasePathAndClientParamsButNotTheirApiVersion) {
  const UpstreamTarget apim{ApiFormat::kAzureOpenAi, "/gw", "2025-01-01-preview"};
  EXPECT_EQ(target_of(apim, "/chat/completions", "d", "api-version=1999-01-01&x=1&&y"),
            "/gw/openai/deployments/d/chat/completions?api-version=2025-01-01-preview&x=1&y");
  EXPECT_EQ(target_of(apim, "/models", {}, "api-version"),
            "/gw/openai/models?api-version=2025-01-01-preview");
}

// Claude Code posts /v1/messages?beta=true: the Anthropic SDK's marker for its beta calls.
TEST(RequestTarget, AnAnthropicOnlyQueryNeverReachesAnOpenAiFormatUpstream) {
  const std::string_view claude_code = "beta=true";
  // Translated: the client's query belongs to the client's API, none of it goes on.
  const EndpointPlan plan = plan_endpoint(kOpenAi, "/messages", "claude-opus-4-8");
  ASSERT_EQ(plan.translation, Translation::kAnthropicClientToOpenAi);
  EXPECT_EQ(forwarded_query(plan.translation, claude_code), "");
  EXPECT_EQ(target_of(kOpenAi, plan.upstream_endpoint, "claude-opus-4-8",
                      forwarded_query(plan.translation, claude_code)),
            "/v1/chat/completions");
  EXPECT_EQ(
      target_of(kAzure, "/chat/completions", "d", forwarded_query(plan.translation, claude_code)),
      "/openai/deployments/d/chat/completions?api-version=2024-10-21");
  // Untranslated toward an OpenAI-format upstream: `beta` is left out, the rest goes on.
  EXPECT_EQ(forwarded_query(Translation::kNone, "beta=true&limit=5"), "beta=true&limit=5");
  EXPECT_EQ(target_of(kOpenAi, "/models", {}, "beta=true"), "/v1/models");
  EXPECT_EQ(target_of(kOpenAi, "/models", {}, "beta=true&limit=5"), "/v1/models?limit=5");
  EXPECT_EQ(target_of(kOpenAi, "/models", {}, "limit=5&beta"), "/v1/models?limit=5");
  EXPECT_EQ(target_of(kOpenAi, "/models", {}, "betas=1"), "/v1/models?betas=1");
  EXPECT_EQ(target_of(kAzure, "/models", {}, "beta=true&x=1"),
            "/openai/models?api-version=2024-10-21&x=1");
  // An Anthropic upstream is where it means something: it goes there as sent.
  EXPECT_EQ(plan_endpoint(kAnthropic, "/messages", "claude").translation, Translation::kNone);
  EXPECT_EQ(target_of(kAnthropic, "/messages", "claude",
                      forwarded_query(Translation::kNone, claude_code)),
            "/v1/messages?beta=true");
}

// --- headers ---

TEST(ProviderHeaders, EachFamilyHasItsCredentialHeader) {
  EXPECT_EQ(headers_of(ApiFormat::kOpenAi, "sk-1"), "Authorization: Bearer sk-1\r\n");
  EXPECT_EQ(headers_of(ApiFormat::kAzureOpenAi, "az-1"), "api-key: az-1\r\n");
  EXPECT_EQ(headers_of(ApiFormat::kAnthropic, "sk-ant-1"),
            "x-api-key: sk-ant-1\r\nanthropic-version: 2023-06-01\r\n");
}

TEST(ProviderHeaders, NoKeyMeansNoCredentialHeader) {
  EXPECT_EQ(headers_of(ApiFormat::kOpenAi, ""), "");
  EXPECT_EQ(headers_of(ApiFormat::kAzureOpenAi, ""), "");
  EXPECT_EQ(headers_of(ApiFormat::kAnthropic, ""), "anthropic-version: 2023-06-01\r\n");
}

TEST(ProviderHeaders, TheClientsAnthropicVersionWinsOverTheDefault) {
  EXPECT_EQ(headers_of(ApiFormat::kAnthropic, "k", {"anthropic-version"}), "x-api-key: k\r\n");
  // anthropic-beta is not the adapter's to write: the client's is forwarded as is.
  EXPECT_EQ(headers_of(ApiFormat::kAnthropic, "k", {"anthropic-beta"}),
            "x-api-key: k\r\nanthropic-version: 2023-06-01\r\n");
}

TEST(ProviderHeaders, OnlyAnthropicHasDefaults) {
  EXPECT_TRUE(default_headers(ApiFormat::kOpenAi).empty());
  EXPECT_TRUE(default_headers(ApiFormat::kAzureOpenAi).empty());
  ASSERT_EQ(default_headers(ApiFormat::kAnthropic).size(), 1u);
  EXPECT_EQ(auth_header(ApiFormat::kAnthropic).name, "x-api-key");
}

// --- the endpoint x format matrix ---

struct Cell {
  UpstreamTarget target;
  std::string_view endpoint;
  Translation translation;
  std::string_view upstream_endpoint;  // empty: an error
  int error_status = 0;
};

TEST(EndpointPlan, EveryEndpointOnEveryFormat) {
  using T = Translation;
  const Cell cells[] = {
      {kOpenAi, "/chat/completions", T::kNone, "/chat/completions"},
      {kOpenAi, "/messages", T::kAnthropicClientToOpenAi, "/chat/completions"},
      {kOpenAi, "/embeddings", T::kNone, "/embeddings"},
      {kOpenAi, "/completions", T::kNone, "/completions"},
      {kOpenAi, "/responses", T::kNone, "/responses"},
      {kOpenAi, "/models", T::kNone, "/models"},
      {kOpenAi, "/files", T::kNone, "/files"},
      {kAzure, "/chat/completions", T::kNone, "/chat/completions"},
      {kAzure, "/messages", T::kAnthropicClientToOpenAi, "/chat/completions"},
      {kAzure, "/embeddings", T::kNone, "/embeddings"},
      {kAzure, "/completions", T::kNone, "/completions"},
      {kAzure, "/responses", T::kNone, "/responses"},
      {kAzure, "/models", T::kNone, "/models"},
      {kAnthropic, "/chat/completions", T::kOpenAiClientToAnthropic, "/messages"},
      {kAnthropic, "/messages", T::kNone, "/messages"},
      {kAnthropic, "/messages/count_tokens", T::kNone, "/messages/count_tokens"},
      {kAnthropic, "/models", T::kOpenAiClientToAnthropic, "/models"},  // an OpenAI client's list
      {kAnthropic, "/models/claude-x", T::kOpenAiClientToAnthropic, "/models/claude-x"},
      {kAnthropic, "/embeddings", T::kNone, {}, 404},
      {kAnthropic, "/completions", T::kNone, {}, 404},
      {kAnthropic, "/responses", T::kResponsesClientToAnthropic, "/messages"},
      {kAnthropic, "/responses/resp_1", T::kNone, {}, 404},
      {kAnthropic, "/responses/resp_1/input_items", T::kNone, {}, 404},
      // An OpenAI-compatible server without the Responses API gets chat completions.
      {kChatOnly, "/responses", T::kResponsesClientToChat, "/chat/completions"},
      {kChatOnly, "/responses/resp_1", T::kNone, {}, 404},
      {kChatOnly, "/chat/completions", T::kNone, "/chat/completions"},
      {kChatOnly, "/responsesx", T::kNone, "/responsesx"},
      {kAnthropic, "/conversations", T::kNone, {}, 404},
      {kAnthropic, "/chat/completions/chatcmpl-1", T::kNone, {}, 404},
      // Every Anthropic path passes through.
      {kAnthropic, "/files", T::kNone, "/files"},
      {kAnthropic, "/files/file_1/content", T::kNone, "/files/file_1/content"},
      {kAnthropic, "/messages/batches", T::kNone, "/messages/batches"},
      {kAnthropic, "/messages/batches/b_1/results", T::kNone, "/messages/batches/b_1/results"},
      {kAnthropic, "/complete", T::kNone, "/complete"},
      {kAnthropic, "/responsesx", T::kNone, "/responsesx"},
      // Anthropic's own beyond /messages are not for OpenAI-format servers; the rest passes.
      {kOpenAi, "/messages/batches", T::kNone, {}, 404},
      {kOpenAi, "/messages/batches/b_1/cancel", T::kNone, {}, 404},
      {kOpenAi, "/complete", T::kNone, {}, 404},
      {kAzure, "/complete", T::kNone, {}, 404},
      {kOpenAi, "/messages/batchesx", T::kNone, "/messages/batchesx"},
      {kOpenAi, "/batches", T::kNone, "/batches"},
      {kOpenAi, "/audio/transcriptions", T::kNone, "/audio/transcriptions"},
  };
  for (const Cell& c : cells) {
    SCOPED_TRACE(std::string(format_name(c.target.format)) + " " + std::string(c.endpoint));
    EndpointPlan p = plan_endpoint(c.target, c.endpoint, "model-1");
    EXPECT_EQ(p.error.status, c.error_status);
    EXPECT_EQ(p.ok(), c.error_status == 0);
    if (!p.ok()) continue;
    EXPECT_EQ(p.translation, c.translation);
    EXPECT_EQ(p.upstream_endpoint, c.upstream_endpoint);
  }
}

// The model list is both APIs' path: the client's API (from its headers) decides whether the
// answer is translated, and into which shape.
TEST(EndpointPlan, ModelListsAreTranslatedWhenClientAndUpstreamDiffer) {
  using M = EndpointPlan::Models;
  using protocol::ApiFront;
  struct Case {
    UpstreamTarget target;
    std::string_view endpoint;
    ApiFront client;
    Translation translation;
    M models;
  } cases[] = {
      {kOpenAi, "/models", ApiFront::kOpenAi, Translation::kNone, M::kNo},
      {kOpenAi, "/models", ApiFront::kAnthropic, Translation::kAnthropicClientToOpenAi, M::kList},
      {kAzure, "/models/gpt-4o", ApiFront::kAnthropic, Translation::kAnthropicClientToOpenAi,
       M::kOne},
      {kAnthropic, "/models", ApiFront::kAnthropic, Translation::kNone, M::kNo},
      {kAnthropic, "/models/c", ApiFront::kAnthropic, Translation::kNone, M::kNo},
      {kAnthropic, "/models/c", ApiFront::kOpenAi, Translation::kOpenAiClientToAnthropic, M::kOne},
      {kAnthropic, "/models", ApiFront::kOpenAi, Translation::kOpenAiClientToAnthropic, M::kList},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(format_name(c.target.format)) + " " + std::string(c.endpoint));
    const EndpointPlan p = plan_endpoint(c.target, c.endpoint, "m", c.client);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p.translation, c.translation);
    EXPECT_EQ(p.models, c.models);
    EXPECT_EQ(p.upstream_endpoint, c.endpoint);
  }
  EXPECT_EQ(models_endpoint("/models/"), M::kNo);
  EXPECT_EQ(models_endpoint("/modelsx"), M::kNo);
}

TEST(EndpointPlan, RefusalsSayWhyAndWhatToUseInstead) {
  EndpointPlan p = plan_endpoint(kAnthropic, "/embeddings", "m");
  EXPECT_EQ(
      p.error.message.rfind("this endpoint is not available for an Anthropic-format upstream", 0),
      0u);
  EXPECT_EQ(protocol::error_code_name(p.error.code), "unsupported_endpoint");
  EXPECT_NE(
      plan_endpoint(kAnthropic, "/responses/r1", "m").error.message.find("previous_response_id"),
      std::string_view::npos);
  EXPECT_NE(plan_endpoint(kOpenAi, "/messages/batches", "").error.message.find("Anthropic's"),
            std::string_view::npos);
}

TEST(EndpointPlan, AzureRefusesModelsThatCannotNameADeployment) {
  for (std::string_view endpoint : {"/chat/completions", "/messages", "/embeddings"}) {
    SCOPED_TRACE(endpoint);
    EndpointPlan bad = plan_endpoint(kAzure, endpoint, "../admin");
    EXPECT_EQ(bad.error.status, 400);
    EXPECT_EQ(protocol::error_code_name(bad.error.code), "invalid_model");
    EXPECT_EQ(plan_endpoint(kAzure, endpoint, "").error.status, 400);
  }
  // Resource-level endpoints name no deployment in the path.
  EXPECT_TRUE(plan_endpoint(kAzure, "/models", "").ok());
  EXPECT_TRUE(plan_endpoint(kAzure, "/responses", "a/b").ok());
  // Other OpenAI-format servers take any model name: it travels in the body only.
  EXPECT_TRUE(plan_endpoint(kOpenAi, "/chat/completions", "meta-llama/Llama-3").ok());
}

// --- transforms ---

constexpr std::string_view kOpenAiRequest =
    R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"max_tokens":5})";
constexpr std::string_view kAnthropicRequest =
    R"({"model":"claude","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})";
constexpr std::string_view kAnthropicResponse =
    R"({"id":"msg_1","type":"message","role":"assistant","model":"claude",)"
    R"("content":[{"type":"text","text":"Hello"}],"stop_reason":"end_turn",)"
    R"("usage":{"input_tokens":3,"output_tokens":1}})";
constexpr std::string_view kOpenAiResponse =
    R"({"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,)"
    R"("message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}})";

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

TEST(Transforms, RequestBothWaysFromTextAndFromAParsedDocument) {
  TranslateOptions o;
  TranslateResult to_anthropic =
      translate_request(Translation::kOpenAiClientToAnthropic, kOpenAiRequest, o);
  ASSERT_TRUE(to_anthropic.ok) << to_anthropic.error_message;
  EXPECT_TRUE(contains(to_anthropic.body, R"("max_tokens":5)"));
  EXPECT_FALSE(contains(to_anthropic.body, R"("role":"system")"));

  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(kAnthropicRequest);
  TranslateResult to_openai =
      translate_request(Translation::kAnthropicClientToOpenAi, root, kAnthropicRequest.size(), o);
  ASSERT_TRUE(to_openai.ok) << to_openai.error_message;
  EXPECT_TRUE(contains(to_openai.body, R"("role":"user")"));
  EXPECT_TRUE(contains(to_openai.body, R"("max_tokens":5)"));
}

TEST(Transforms, ResponsesComeBackInTheClientsShape) {
  ResponseOptions o;
  o.model = "asked";
  TranslateResult r =
      translate_response(Translation::kOpenAiClientToAnthropic, kAnthropicResponse, o);
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_TRUE(contains(r.body, R"("object":"chat.completion")"));
  EXPECT_TRUE(contains(r.body, R"("model":"asked")"));
  r = translate_response(Translation::kAnthropicClientToOpenAi, kOpenAiResponse, o);
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_TRUE(contains(r.body, R"("type":"message")"));
  EXPECT_TRUE(contains(r.body, R"("stop_reason":"end_turn")"));
}

TEST(Transforms, ErrorsComeBackInTheClientsShapeAndStatus) {
  TranslateResult r =
      translate_error(Translation::kOpenAiClientToAnthropic, 529,
                      R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})");
  EXPECT_EQ(r.status, 503);  // OpenAI clients do not know 529
  EXPECT_TRUE(contains(r.body, R"("message":"busy")"));
  r = translate_error(Translation::kAnthropicClientToOpenAi, 429,
                      R"({"error":{"message":"slow down","type":"rate_limit"}})");
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(contains(r.body, R"("type":"rate_limit_error")"));
}

TEST(Transforms, NoTranslationIsAnErrorNotAGuess) {
  EXPECT_EQ(translate_request(Translation::kNone, kOpenAiRequest, {}).status, 500);
  EXPECT_FALSE(translate_response(Translation::kNone, kOpenAiResponse, {}).ok);
  EXPECT_FALSE(translate_error(Translation::kNone, 500, "{}").ok);
}

TEST(StreamTranslator, AnthropicEventsBecomeOpenAiChunks) {
  StreamOptions so;
  so.model = "asked";
  StreamTranslator st(Translation::kOpenAiClientToAnthropic, so);
  std::string out;
  st.on_event("message_start",
              R"({"type":"message_start","message":{"id":"m","model":"c",)"
              R"("usage":{"input_tokens":2,"output_tokens":0}}})",
              out);
  st.on_event(
      "content_block_start",
      R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})", out);
  st.on_event(
      "content_block_delta",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})", out);
  st.on_event(
      "message_delta",
      R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}})",
      out);
  st.on_event("message_stop", R"({"type":"message_stop"})", out);
  st.finish(out);
  EXPECT_TRUE(st.done());
  EXPECT_TRUE(contains(out, "chat.completion.chunk"));
  EXPECT_TRUE(contains(out, R"("content":"Hi")"));
  EXPECT_TRUE(contains(out, "data: [DONE]"));
  EXPECT_EQ(st.usage().completion_tokens, 1);
}

TEST(StreamTranslator, OpenAiChunksBecomeAnthropicEventsAndFailEndsWithAnError) {
  StreamTranslator st(Translation::kAnthropicClientToOpenAi, StreamOptions{});
  std::string out;
  st.on_event({},
              R"({"id":"c","object":"chat.completion.chunk","model":"g","choices":[{"index":0,)"
              R"("delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]})",
              out);
  EXPECT_TRUE(contains(out, "event: message_start"));
  EXPECT_FALSE(st.done());
  st.fail(out, "lost an event");
  EXPECT_TRUE(contains(out, "event: error"));
  EXPECT_TRUE(contains(out, "lost an event"));
  EXPECT_TRUE(st.done());
}

TEST(StreamTranslator, NoneTranslatesNothing) {
  StreamTranslator st(Translation::kNone, StreamOptions{});
  std::string out;
  st.on_event({}, R"({"x":1})", out);
  st.finish(out);
  st.fail(out, "x");
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(st.done());
  EXPECT_FALSE(st.usage().seen);
}

}  // namespace
}  // namespace ringgate::providers
