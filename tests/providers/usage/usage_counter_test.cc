// The counted usage (seed-defect: 000-L2 — a real tokenizer, not characters / 4): prompt framing
// per API shape, output text collected by the extractor, both in the model's encoding.
#include "providers/usage/usage_counter.h"

#include <gtest/gtest.h>

#include <string>

namespace ringgate::providers {
namespace {

const std::shared_ptr<const tokenizer::TokenizerSet>& tokenizers() {
  static std::shared_ptr<const tokenizer::TokenizerSet> set = [] {
    std::vector<std::string> warnings;
    auto s = tokenizer::TokenizerSet::load(RINGGATE_TOKENIZER_DATA_DIR, &warnings);
    for (const std::string& w : warnings) ADD_FAILURE() << w << " (run tools/setup.sh)";
    return s;
  }();
  return set;
}

int64_t count(std::string_view model, std::string_view text) {
  return *UsageCounter(tokenizers()).count_text(model, text);
}

int64_t prompt(UsageShape shape, std::string_view body) {
  UsageCounter c(tokenizers());
  std::optional<int64_t> n = c.count_prompt(shape, body);
  EXPECT_TRUE(n.has_value()) << body;
  return n.value_or(-1);
}

// From tiktoken: encode_ordinary of this string is 11 ids in o200k_base.
constexpr std::string_view kKnown = "Hello world, this is a test. Don't stop!";

TEST(UsageCounter, TextCountsInTheModelsEncoding) {
  EXPECT_EQ(count("gpt-4o", kKnown), 11);
  EXPECT_EQ(count("claude-3-5-haiku", kKnown), 11);  // other vendors: o200k_base
  EXPECT_EQ(count("gpt-4", "hello world"), 2);
}

// OpenAI cookbook "How to count tokens with tiktoken", section 6: these messages are 129 prompt
// tokens for gpt-4 / gpt-3.5-turbo (cl100k_base) and 124 for gpt-4o / gpt-4o-mini (o200k_base),
// as the API itself reported them.
constexpr std::string_view kCookbookMessages = R"([
  {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
  {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
  {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
  {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
  {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
  {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."}
])";

TEST(UsageCounter, ChatFramingMatchesOpenAisReportedPromptTokens) {
  const std::string tail = std::string(R"(", "messages": )") + std::string(kCookbookMessages) + "}";
  EXPECT_EQ(prompt(UsageShape::kOpenAiChat, R"({"model": "gpt-4)" + tail), 129);
  EXPECT_EQ(prompt(UsageShape::kOpenAiChat, R"({"model": "gpt-3.5-turbo)" + tail), 129);
  EXPECT_EQ(prompt(UsageShape::kOpenAiChat, R"({"model": "gpt-4o)" + tail), 124);
  EXPECT_EQ(prompt(UsageShape::kOpenAiChat, R"({"model": "gpt-4o-mini)" + tail), 124);
}

TEST(UsageCounter, ChatCountsTextPartsToolCallsAndToolResults) {
  const int64_t user = 3 + count("gpt-4o", "user") + count("gpt-4o", kKnown);
  EXPECT_EQ(prompt(UsageShape::kOpenAiChat,
                   R"({"model":"gpt-4o","messages":[{"role":"user","content":[
                     {"type":"text","text":"Hello world, this is a test. Don't stop!"},
                     {"type":"image_url","image_url":{"url":"data:x"}}]}]})"),
            user + 3);
  const int64_t call = 3 + count("gpt-4o", "assistant") + count("gpt-4o", "get_weather") +
                       count("gpt-4o", R"({"city":"Paris"})");
  const int64_t result = 3 + count("gpt-4o", "tool") + count("gpt-4o", "sunny, 21C");
  EXPECT_EQ(prompt(UsageShape::kOpenAiChat, R"({"model":"gpt-4o","messages":[
    {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
      "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
    {"role":"tool","tool_call_id":"c1","content":"sunny, 21C"}]})"),
            call + result + 3);
}

TEST(UsageCounter, AnthropicCountsSystemTextToolUseAndToolResult) {
  const auto c = [](std::string_view s) { return count("claude-3-5-haiku", s); };
  const int64_t want = (3 + c("system") + c("Be brief.")) + (3 + c("user") + c(kKnown)) +
                       (3 + c("assistant") + c("get_weather") + c(R"({"city":"Paris"})")) +
                       (3 + c("user") + c("sunny")) + 3;
  EXPECT_EQ(prompt(UsageShape::kAnthropicMessages, R"({"model":"claude-3-5-haiku",
    "system":[{"type":"text","text":"Be brief."}],
    "messages":[{"role":"user","content":"Hello world, this is a test. Don't stop!"},
      {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"get_weather",
        "input":{"city": "Paris"}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"sunny"}]}]})"),
            want);
}

TEST(UsageCounter, ResponsesCompletionsAndEmbeddings) {
  const auto c = [](std::string_view s) { return count("gpt-4o", s); };
  EXPECT_EQ(prompt(UsageShape::kOpenAiResponses,
                   R"({"model":"gpt-4o","instructions":"Be brief.","input":"hello world"})"),
            (3 + c("system") + c("Be brief.")) + (3 + c("user") + c("hello world")) + 3);
  EXPECT_EQ(
      prompt(UsageShape::kOpenAiCompletions,
             R"({"model":"gpt-3.5-turbo-instruct","prompt":["hello world","hello"]})"),
      count("gpt-3.5-turbo-instruct", "hello world") + count("gpt-3.5-turbo-instruct", "hello"));
  EXPECT_EQ(prompt(UsageShape::kOpenAiEmbeddings,
                   R"({"model":"text-embedding-3-small","input":[[1,2,3],[4]]})"),
            4);
  EXPECT_EQ(prompt(UsageShape::kOpenAiEmbeddings,
                   R"({"model":"text-embedding-3-small","input":"hello world"})"),
            2);
}

TEST(UsageCounter, NotJsonIsNoCount) {
  UsageCounter c(tokenizers());
  EXPECT_FALSE(c.count_prompt(UsageShape::kOpenAiChat, "not json").has_value());
  EXPECT_FALSE(c.count_prompt(UsageShape::kOpenAiChat, "[1]").has_value());
  UsageCounter off(nullptr);
  EXPECT_FALSE(off.count_prompt(UsageShape::kOpenAiChat, R"({"messages":[]})").has_value());
}

// The extractor's generated text, as the Accountant counts output with it.
std::string generated(UsageShape shape, bool streamed, std::string_view body,
                      size_t limit = 1 << 20) {
  UsageExtractor x;
  x.set_text_limit(limit);
  x.reset(shape, streamed);
  x.feed(body);
  x.finish();
  return std::string(x.generated_text());
}

TEST(UsageExtractorText, ChatStreamDeltasAndToolArguments) {
  EXPECT_EQ(generated(UsageShape::kOpenAiChat, true,
                      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"
                      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n"
                      "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                      "\"function\":{\"arguments\":\"{}\"}}]}}]}\n\n"
                      "data: [DONE]\n\n"),
            "Hello{}");
}

TEST(UsageExtractorText, AnthropicStreamAndBody) {
  EXPECT_EQ(generated(UsageShape::kAnthropicMessages, true,
                      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
                      "\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi there\"}}\n\n"),
            "Hi there");
  EXPECT_EQ(
      generated(
          UsageShape::kAnthropicMessages, false,
          R"({"content":[{"type":"text","text":"A"},{"type":"tool_use","name":"f","input":{"x": 1}}]})"),
      R"(Af{"x":1})");
}

TEST(UsageExtractorText, ResponsesAndCompletions) {
  EXPECT_EQ(generated(UsageShape::kOpenAiResponses, true,
                      "event: response.output_text.delta\ndata: {\"type\":\"response.output_text"
                      ".delta\",\"delta\":\"Yes\"}\n\n"),
            "Yes");
  EXPECT_EQ(
      generated(
          UsageShape::kOpenAiResponses, false,
          R"({"output":[{"type":"message","content":[{"type":"output_text","text":"Ok"}]}]})"),
      "Ok");
  EXPECT_EQ(generated(UsageShape::kOpenAiCompletions, false, R"({"choices":[{"text":"done"}]})"),
            "done");
}

TEST(UsageExtractorText, OffByDefaultAndBounded) {
  UsageExtractor x;
  x.reset(UsageShape::kOpenAiCompletions, false);
  x.feed(R"({"choices":[{"text":"done"}]})");
  x.finish();
  EXPECT_EQ(x.generated_text(), "");
  x.set_text_limit(2);
  x.reset(UsageShape::kOpenAiCompletions, false);
  x.feed(R"({"choices":[{"text":"done"}]})");
  x.finish();
  EXPECT_EQ(x.generated_text(), "do");
  EXPECT_EQ(x.generated_bytes(), 4u);
}

}  // namespace
}  // namespace ringgate::providers
