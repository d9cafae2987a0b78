// semantic_prompt_text: the whole prompt with role tags for OpenAI and Anthropic bodies; every
// request the semantic cache must not answer by similarity is skipped (nullopt).
#include "cache/semantic_prompt.h"

#include <gtest/gtest.h>

#include <string>

namespace ringgate::cache {
namespace {

constexpr size_t kMax = 4096;

TEST(SemanticPrompt, OpenAIChatIsEveryTurnWithItsRole) {
  const auto text = semantic_prompt_text(R"({"model":"m","temperature":0,"messages":[
    {"role":"system","content":"Be brief."},
    {"role":"user","content":"Hi"},
    {"role":"assistant","content":"Hello."},
    {"role":"user","content":[{"type":"text","text":"What is 2+2?"}]}]})",
                                         kMax);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "system: Be brief.\nuser: Hi\nassistant: Hello.\nuser: What is 2+2?\n");
}

TEST(SemanticPrompt, AnthropicTopLevelSystemComesFirst) {
  const auto text = semantic_prompt_text(
      R"({"model":"m","max_tokens":9,"system":[{"type":"text","text":"Be brief."}],
          "messages":[{"role":"user","content":"Hi"}]})",
      kMax);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "system: Be brief.\nuser: Hi\n");
}

TEST(SemanticPrompt, ToolsImagesAndToolTurnsAreSkipped) {
  const char* skipped[] = {
      R"({"tools":[],"messages":[{"role":"user","content":"Hi"}]})",
      R"({"tool_choice":"auto","messages":[{"role":"user","content":"Hi"}]})",
      R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]})",
      R"({"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":null,
          "tool_calls":[{"id":"c","type":"function"}]}]})",
      R"({"messages":[{"role":"user","content":"Hi"},{"role":"tool","content":"4"}]})",
      R"({"messages":[{"role":"user","content":[{"type":"tool_result","content":"4"}]}]})",
      R"({"system":[{"type":"image"}],"messages":[{"role":"user","content":"Hi"}]})",
  };
  for (const char* body : skipped) EXPECT_FALSE(semantic_prompt_text(body, kMax)) << body;
}

TEST(SemanticPrompt, MalformedNoUserAndOversizeAreSkipped) {
  EXPECT_FALSE(semantic_prompt_text("", kMax));
  EXPECT_FALSE(semantic_prompt_text("[1]", kMax));
  EXPECT_FALSE(semantic_prompt_text(R"({"messages":"Hi"})", kMax));
  EXPECT_FALSE(semantic_prompt_text(R"({"messages":[{"role":"system","content":"x"}]})", kMax));
  EXPECT_FALSE(semantic_prompt_text(R"({"messages":[{"content":"Hi"}]})", kMax));
  const std::string body =
      R"({"messages":[{"role":"user","content":")" + std::string(100, 'a') + "\"}]}";
  EXPECT_TRUE(semantic_prompt_text(body, 107));  // "user: " + 100 + "\n"
  EXPECT_FALSE(semantic_prompt_text(body, 106));
}

}  // namespace
}  // namespace ringgate::cache
