// Model lists in each API's shape: rendered from entries (config mode), paged for Anthropic
// clients, and translated from the other API's answer (quick mode).
#include "providers/models_translator.h"

#include <gtest/gtest.h>

#include <vector>

namespace ringgate::providers {
namespace {

using protocol::ApiFront;

std::vector<ModelEntry> three() {
  return {{"a", 0, "", "ringgate"}, {"b", 1700000000, "Model B", ""}, {"c", 0, "", ""}};
}

std::string list(ApiFront to, std::string_view query = "") {
  std::string out;
  render_model_list(to, three(), parse_model_page(query), out);
  return out;
}

TEST(ModelList, OpenAiShape) {
  EXPECT_EQ(list(ApiFront::kOpenAi),
            R"({"object":"list","data":[)"
            R"({"id":"a","object":"model","created":0,"owned_by":"ringgate"},)"
            R"({"id":"b","object":"model","created":1700000000,"owned_by":"system"},)"
            R"({"id":"c","object":"model","created":0,"owned_by":"system"}]})");
}

TEST(ModelList, AnthropicShapeWholeListByDefault) {
  EXPECT_EQ(
      list(ApiFront::kAnthropic),
      R"({"data":[)"
      R"({"type":"model","id":"a","display_name":"a","created_at":"1970-01-01T00:00:00Z"},)"
      R"({"type":"model","id":"b","display_name":"Model B","created_at":"2023-11-14T22:13:20Z"},)"
      R"({"type":"model","id":"c","display_name":"c","created_at":"1970-01-01T00:00:00Z"}],)"
      R"("has_more":false,"first_id":"a","last_id":"c"})");
}

TEST(ModelList, AnthropicPages) {
  auto ids = [](const std::string& body) {
    std::string out;
    for (size_t at = 0; (at = body.find(R"("id":")", at)) != std::string::npos; at += 6) {
      out += body[at + 6];
    }
    return out;
  };
  std::string page = list(ApiFront::kAnthropic, "limit=2");
  EXPECT_EQ(ids(page), "ab");
  EXPECT_NE(page.find(R"("has_more":true,"first_id":"a","last_id":"b")"), std::string::npos);
  page = list(ApiFront::kAnthropic, "limit=2&after_id=b");
  EXPECT_EQ(ids(page), "c");
  EXPECT_NE(page.find(R"("has_more":false,"first_id":"c","last_id":"c")"), std::string::npos);
  page = list(ApiFront::kAnthropic, "before_id=c&limit=1");
  EXPECT_EQ(ids(page), "b");
  EXPECT_NE(page.find(R"("has_more":true)"), std::string::npos);
  page = list(ApiFront::kAnthropic, "after_id=c");
  EXPECT_EQ(page, R"({"data":[],"has_more":false,"first_id":null,"last_id":null})");
}

TEST(ModelList, BadLimitsAreRefused) {
  for (std::string_view q : {"limit=0", "limit=1001", "limit=x", "limit=", "limit=-1"}) {
    EXPECT_FALSE(parse_model_page(q).ok) << q;
  }
  EXPECT_TRUE(parse_model_page("beta=true&limit=1000").ok);
}

TEST(ModelTranslation, OpenAiListToAnthropic) {
  const TranslateResult r = translate_models_response(
      ApiFront::kOpenAi, ApiFront::kAnthropic,
      R"({"object":"list","data":[{"id":"gpt-4o","object":"model","created":1700000000,"owned_by":"openai"},{"object":"model"}]})",
      false, {});
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.body, R"({"data":[{"type":"model","id":"gpt-4o","display_name":"gpt-4o",)"
                    R"("created_at":"2023-11-14T22:13:20Z"}],"has_more":false,"first_id":"gpt-4o",)"
                    R"("last_id":"gpt-4o"})");
}

TEST(ModelTranslation, AnthropicListAndModelToOpenAi) {
  TranslateResult r = translate_models_response(
      ApiFront::kAnthropic, ApiFront::kOpenAi,
      R"({"data":[{"type":"model","id":"claude-x","display_name":"Claude X","created_at":"2024-10-22T00:00:00Z"}],"has_more":false,"first_id":"claude-x","last_id":"claude-x"})",
      false, {});
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.body, R"({"object":"list","data":[{"id":"claude-x","object":"model",)"
                    R"("created":1729555200,"owned_by":"anthropic"}]})");
  r = translate_models_response(
      ApiFront::kAnthropic, ApiFront::kOpenAi,
      R"({"type":"model","id":"claude-x","display_name":"Claude X","created_at":"2024-10-22T00:00:00Z"})",
      true, {});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body,
            R"({"id":"claude-x","object":"model","created":1729555200,"owned_by":"anthropic"})");
}

TEST(ModelTranslation, WhatIsNotAModelAnswerIsAnError) {
  for (std::string_view body : {"", "[]", R"({"data":{}})", "not json", R"({"object":"list"})"}) {
    EXPECT_FALSE(
        translate_models_response(ApiFront::kOpenAi, ApiFront::kAnthropic, body, false, {}).ok)
        << body;
  }
  EXPECT_FALSE(translate_models_response(ApiFront::kOpenAi, ApiFront::kAnthropic,
                                         R"({"object":"model"})", true, {})
                   .ok);
}

}  // namespace
}  // namespace ringgate::providers
