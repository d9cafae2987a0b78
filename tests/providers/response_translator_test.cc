#include "providers/response_translator.h"

#include <gtest/gtest.h>

#include "providers/error_translator.h"
#include "tests/providers/translation_test_support.h"

namespace ringgate::providers {
namespace {

using testing::json_equivalent;

TEST(AnthropicResponseToOpenAi, UsageCountsCacheReadsAndWritesAsPromptTokens) {
  auto r = anthropic_response_to_openai(
      R"({"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],)"
      R"("stop_reason":"end_turn","usage":{"input_tokens":10,"cache_creation_input_tokens":20,)"
      R"("cache_read_input_tokens":300,"output_tokens":4}})",
      ResponseOptions{"client-model", 1, ""});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.usage.prompt_tokens, 330);
  EXPECT_EQ(r.usage.cached_tokens, 300);
  EXPECT_EQ(r.usage.completion_tokens, 4);
  EXPECT_TRUE(json_equivalent(r.body, R"({"id":"msg_1","object":"chat.completion","created":1,
    "model":"client-model","choices":[{"index":0,"message":{"role":"assistant","content":null,
    "refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":330,
    "completion_tokens":4,"total_tokens":334,"prompt_tokens_details":{"cached_tokens":300}}})"));
}

TEST(AnthropicResponseToOpenAi, MapsEveryStopReason) {
  EXPECT_EQ(finish_reason_for_stop_reason("end_turn"), "stop");
  EXPECT_EQ(finish_reason_for_stop_reason("stop_sequence"), "stop");
  EXPECT_EQ(finish_reason_for_stop_reason("max_tokens"), "length");
  EXPECT_EQ(finish_reason_for_stop_reason("tool_use"), "tool_calls");
  EXPECT_EQ(finish_reason_for_stop_reason("refusal"), "content_filter");
  EXPECT_EQ(stop_reason_for_finish_reason("stop"), "end_turn");
  EXPECT_EQ(stop_reason_for_finish_reason("length"), "max_tokens");
  EXPECT_EQ(stop_reason_for_finish_reason("tool_calls"), "tool_use");
  EXPECT_EQ(stop_reason_for_finish_reason("content_filter"), "refusal");
}

TEST(AnthropicResponseToOpenAi, ResponseFormatToolComesBackAsContent) {
  ResponseOptions o;
  o.created = 1;
  o.response_format_tool = "answer";
  auto r = anthropic_response_to_openai(
      R"({"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[)"
      R"({"type":"tool_use","id":"toolu_1","name":"answer","input":{"a":1,"b":"x"}}],)"
      R"("stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":2}})",
      o);
  ASSERT_TRUE(r.ok);
  simdjson::dom::parser p;
  auto msg = p.parse(r.body)["choices"].at(0);
  EXPECT_EQ(std::string_view(msg["message"]["content"]), R"({"a":1,"b":"x"})");
  EXPECT_EQ(std::string_view(msg["finish_reason"]), "stop");
  EXPECT_TRUE(msg["message"]["tool_calls"].error() == simdjson::NO_SUCH_FIELD);
}

TEST(AnthropicResponseToOpenAi, RejectsWhatIsNotAMessage) {
  for (const char* body :
       {"", "nope", "[]", R"({"type":"error","error":{}})", R"({"type":"message","content":{}})"}) {
    auto r = anthropic_response_to_openai(body, ResponseOptions{});
    EXPECT_FALSE(r.ok) << body;
    EXPECT_EQ(r.status, 502);
  }
}

TEST(OpenAiResponseToAnthropic, CachedTokensBecomeCacheReads) {
  auto r = openai_response_to_anthropic(
      R"({"id":"chatcmpl-1","object":"chat.completion","model":"gpt","choices":[{"index":0,)"
      R"("message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":100,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":64}}})",
      ResponseOptions{});
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(json_equivalent(r.body, R"({"id":"chatcmpl-1","type":"message","role":"assistant",
    "model":"gpt","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn",
    "stop_sequence":null,"usage":{"input_tokens":36,"cache_creation_input_tokens":0,
    "cache_read_input_tokens":64,"output_tokens":5}})"));
}

TEST(OpenAiResponseToAnthropic, RefusalBecomesTextWithRefusalStopReason) {
  auto r = openai_response_to_anthropic(
      R"({"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":null,)"
      R"("refusal":"I can't help with that."},"finish_reason":"stop"}]})",
      ResponseOptions{});
  ASSERT_TRUE(r.ok);
  simdjson::dom::parser p;
  auto doc = p.parse(r.body);
  EXPECT_EQ(std::string_view(doc["content"].at(0)["text"]), "I can't help with that.");
  EXPECT_EQ(std::string_view(doc["stop_reason"]), "refusal");
}

TEST(OpenAiResponseToAnthropic, MalformedToolArgumentsAreAnUpstreamError) {
  auto r = openai_response_to_anthropic(
      R"({"id":"c","choices":[{"index":0,"message":{"role":"assistant","tool_calls":[)"
      R"({"id":"x","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]},)"
      R"("finish_reason":"tool_calls"}]})",
      ResponseOptions{});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status, 502);
}

TEST(ErrorTranslation, AnthropicErrorsGetOpenAiShapeAndStatus) {
  auto r = anthropic_error_to_openai(
      529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(json_equivalent(r.body, R"({"error":{"message":"Overloaded","type":"server_error",
    "param":null,"code":"overloaded_error"}})"));
  auto auth = anthropic_error_to_openai(
      401,
      R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}})");
  EXPECT_EQ(auth.status, 401);
  EXPECT_TRUE(json_equivalent(auth.body, R"({"error":{"message":"invalid x-api-key",
    "type":"authentication_error","param":null,"code":"authentication_error"}})"));
}

TEST(ErrorTranslation, OpenAiErrorsGetAnthropicShape) {
  auto r = openai_error_to_anthropic(
      429,
      R"({"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}})");
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(json_equivalent(
      r.body,
      R"({"type":"error","error":{"type":"rate_limit_error","message":"Rate limit reached"}})"));
  auto bad = openai_error_to_anthropic(
      400,
      R"({"error":{"message":"Invalid value","type":"invalid_request_error","param":"messages[0].role","code":null}})");
  EXPECT_EQ(bad.error_param, "messages[0].role");
  EXPECT_NE(bad.body.find("messages[0].role"), std::string::npos);
  // vLLM's flat shape and non-JSON bodies still produce a well-formed error.
  auto flat = openai_error_to_anthropic(
      400, R"({"object":"error","message":"too long","type":"BadRequestError","code":400})");
  EXPECT_TRUE(json_equivalent(
      flat.body,
      R"({"type":"error","error":{"type":"invalid_request_error","message":"too long"}})"));
  auto html = openai_error_to_anthropic(502, "<html>Bad Gateway</html>");
  EXPECT_TRUE(json_equivalent(
      html.body,
      R"({"type":"error","error":{"type":"api_error","message":"upstream returned HTTP 502"}})"));
}

TEST(ErrorTranslation, KeysInUpstreamMessagesAreRedacted) {
  const std::string key = "sk-proj-" + std::string(40, 'A');
  auto r = openai_error_to_anthropic(
      401, R"({"error":{"message":"Incorrect API key provided: )" + key + R"(."}})");
  EXPECT_EQ(r.body.find(key), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("sk-***"), std::string::npos);
  auto a = anthropic_error_to_openai(
      401,
      R"({"type":"error","error":{"type":"authentication_error","message":"bad key sk-ant-api03-)" +
          std::string(30, 'x') + R"("}})");
  EXPECT_EQ(a.body.find("xxxxxxxxxx"), std::string::npos) << a.body;
  EXPECT_EQ(redact_keys("task-list sk-short"), "task-list sk-short");
}

}  // namespace
}  // namespace ringgate::providers
