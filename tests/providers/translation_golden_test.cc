// Golden transcripts: realistic request, response and stream bodies of both APIs, translated and
// compared by meaning with the reviewed expected output next to them (<name>.out.*). Run with
// RINGGATE_UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change, then review
// the diff.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <random>

#include "providers/anthropic_to_openai_stream.h"
#include "providers/openai_to_anthropic_stream.h"
#include "providers/request_translator.h"
#include "providers/response_translator.h"
#include "providers/responses_request_translator.h"
#include "providers/responses_response_translator.h"
#include "tests/providers/translation_test_support.h"

namespace ringgate::providers {
namespace {

namespace fs = std::filesystem;
using testing::json_equivalent;
using testing::read_file;
using testing::sse_equivalent;

constexpr int64_t kCreated = 1700000000;

struct Case {
  std::string name, input_path, expected_path;
};

std::vector<Case> cases(std::string_view dir, std::string_view ext) {
  std::vector<Case> out;
  const fs::path root = fs::path(RINGGATE_GOLDEN_DIR) / dir;
  const std::string in_suffix = ".in." + std::string(ext);
  for (const auto& entry : fs::directory_iterator(root)) {
    const std::string file = entry.path().filename().string();
    if (file.size() <= in_suffix.size() ||
        file.compare(file.size() - in_suffix.size(), in_suffix.size(), in_suffix) != 0) {
      continue;
    }
    const std::string name = file.substr(0, file.size() - in_suffix.size());
    out.push_back(
        {name, entry.path().string(), (root / (name + ".out." + std::string(ext))).string()});
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return out;
}

// Runs every case of a directory through `translate` and compares with the expected file.
void check_json_dir(std::string_view dir, size_t min_cases,
                    const std::function<TranslateResult(std::string_view)>& translate) {
  const auto all = cases(dir, "json");
  ASSERT_GE(all.size(), min_cases) << dir;
  for (const auto& c : all) {
    SCOPED_TRACE(std::string(dir) + "/" + c.name);
    const TranslateResult r = translate(read_file(c.input_path));
    ASSERT_TRUE(r.ok) << r.error_message << " (" << r.error_param << ")";
    if (testing::update_golden()) testing::write_file(c.expected_path, r.body + "\n");
    const std::string expected = read_file(c.expected_path);
    ASSERT_FALSE(expected.empty()) << "missing " << c.expected_path;
    EXPECT_TRUE(json_equivalent(r.body, expected));
  }
}

TranslateOptions request_options() {
  TranslateOptions o;
  o.default_max_tokens = 4096;
  return o;
}

// seed-defect: 004-P9 (system messages at any position merged, tools and tool_choice faithful)
TEST(TranslationGolden, OpenAiRequestsToAnthropic) {
  check_json_dir("request_openai_to_anthropic", 3, [](std::string_view body) {
    return openai_chat_to_anthropic(body, request_options());
  });
}

// seed-defect: 004-P9
TEST(TranslationGolden, AnthropicRequestsToOpenAi) {
  check_json_dir("request_anthropic_to_openai", 3, [](std::string_view body) {
    return anthropic_to_openai_chat(body, request_options());
  });
}

// Claude Code 2.1.197's own requests as it sends them (recorded, long texts cut): thinking
// adaptive, output_config.effort, context_management, cache_control on system, message and
// tool_result blocks, metadata.user_id and a system message after the first user turn. Toward a
// reasoning model they translate whole but for the two fields OpenAI has no equivalent of.
TEST(TranslationGolden, ClaudeCodeRequestsToAReasoningModel) {
  TranslateOptions o = request_options();
  o.reasoning_model = true;
  o.use_max_completion_tokens = true;
  check_json_dir("request_claude_code_to_openai", 2, [&o](std::string_view body) {
    TranslateResult r = anthropic_to_openai_chat(body, o);
    EXPECT_EQ(r.dropped_fields, "cache_control,context_management");
    return r;
  });
}

// The same requests toward a model that does not reason: thinking and effort are dropped too,
// and under "refuse" the first field without an equivalent is the answer.
TEST(TranslationGolden, ClaudeCodeRequestsToAModelThatDoesNotReason) {
  for (const auto& c : cases("request_claude_code_to_openai", "json")) {
    SCOPED_TRACE(c.name);
    const std::string body = read_file(c.input_path);
    TranslateOptions o = request_options();
    TranslateResult r = anthropic_to_openai_chat(body, o);
    ASSERT_TRUE(r.ok) << r.error_message;
    EXPECT_EQ(r.dropped_fields, "cache_control,context_management,output_config.effort,thinking");
    EXPECT_EQ(r.body.find("reasoning_effort"), std::string::npos);
    o.unsupported = UnsupportedFields::kRefuse;
    r = anthropic_to_openai_chat(body, o);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.error_message.find(r.error_param), std::string::npos) << r.error_message;
  }
}

TEST(TranslationGolden, AnthropicResponsesToOpenAi) {
  check_json_dir("response_anthropic_to_openai", 3, [](std::string_view body) {
    ResponseOptions o;
    o.created = kCreated;
    return anthropic_response_to_openai(body, o);
  });
}

TEST(TranslationGolden, OpenAiResponsesToAnthropic) {
  check_json_dir("response_openai_to_anthropic", 3, [](std::string_view body) {
    return openai_response_to_anthropic(body, ResponseOptions{});
  });
}

// Responses API requests as Codex CLI (developer instructions, shell + the free-form apply_patch
// tool, a previous call and its output, encrypted reasoning, text.verbosity, prompt_cache_key,
// include, store:false), the Agents SDK (easy-form messages, output items with ids, nulls for
// every unset setting) and the Vercel AI SDK (system message, images, a call round) send them.
TranslateOptions responses_request_options() {
  TranslateOptions o = request_options();
  o.reasoning_model = true;
  return o;
}

TEST(TranslationGolden, ResponsesRequestsToAnthropic) {
  check_json_dir("request_responses_to_anthropic", 3, [](std::string_view body) {
    TranslateResult r = responses_to_anthropic(body, responses_request_options());
    if (body.find("prompt_cache_key") != std::string_view::npos) {
      // Codex: what it sends without an Anthropic equivalent is dropped, not refused.
      EXPECT_EQ(r.dropped_fields, "prompt_cache_key,text.verbosity");
      EXPECT_EQ(r.custom_tools, "apply_patch");
      EXPECT_FALSE(r.store);
    } else {
      EXPECT_EQ(r.dropped_fields, "");
    }
    return r;
  });
}

TEST(TranslationGolden, ResponsesRequestsToChat) {
  check_json_dir("request_responses_to_chat", 3, [](std::string_view body) {
    return responses_to_openai_chat(body, responses_request_options());
  });
}

ResponseOptions responses_response_options() {
  ResponseOptions o;
  o.created = kCreated;
  o.id = "resp_0a1b2c3d";
  o.custom_tools = "apply_patch";
  o.responses_echo = R"("instructions":"Be brief.","store":false,"tool_choice":"auto")";
  return o;
}

TEST(TranslationGolden, AnthropicResponsesToResponses) {
  check_json_dir("response_anthropic_to_responses", 2, [](std::string_view body) {
    return anthropic_response_to_responses(body, responses_response_options());
  });
}

TEST(TranslationGolden, ChatResponsesToResponses) {
  check_json_dir("response_chat_to_responses", 2, [](std::string_view body) {
    return chat_response_to_responses(body, responses_response_options());
  });
}

// Offsets at which to cut the input: every byte, a fixed stride and seeded random cuts. The
// translated output must not depend on where the upstream's reads happened to end.
std::vector<std::vector<size_t>> chunkings(size_t size) {
  std::vector<std::vector<size_t>> all;
  std::vector<size_t> every_byte;
  for (size_t i = 1; i < size; ++i) every_byte.push_back(i);
  all.push_back(every_byte);
  std::vector<size_t> stride;
  for (size_t i = 7; i < size; i += 7) stride.push_back(i);
  all.push_back(stride);
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    std::vector<size_t> cuts;
    std::uniform_int_distribution<size_t> pick(1, size - 1);
    const int n = 1 + round * 3;
    for (int i = 0; i < n; ++i) cuts.push_back(pick(rng));
    std::sort(cuts.begin(), cuts.end());
    all.push_back(cuts);
  }
  return all;
}

template <class Stream>
void check_stream_dir(std::string_view dir, size_t min_cases, const StreamOptions& options) {
  const auto all = cases(dir, "sse");
  ASSERT_GE(all.size(), min_cases) << dir;
  for (const auto& c : all) {
    SCOPED_TRACE(std::string(dir) + "/" + c.name);
    const std::string input = read_file(c.input_path);
    Stream whole(options);
    const std::string out = testing::run_stream(whole, input, {});
    EXPECT_TRUE(whole.done());
    if (testing::update_golden()) testing::write_file(c.expected_path, out);
    const std::string expected = read_file(c.expected_path);
    ASSERT_FALSE(expected.empty()) << "missing " << c.expected_path;
    EXPECT_TRUE(sse_equivalent(out, expected));
    for (const auto& cuts : chunkings(input.size())) {
      Stream split(options);
      ASSERT_EQ(testing::run_stream(split, input, cuts), out) << cuts.size() << " cuts";
      EXPECT_EQ(split.usage().prompt_tokens, whole.usage().prompt_tokens);
      EXPECT_EQ(split.usage().completion_tokens, whole.usage().completion_tokens);
    }
  }
}

// seed-defect: 004-P9 ([DONE] always ends the translated stream)
TEST(TranslationGolden, AnthropicStreamsToOpenAi) {
  StreamOptions o;
  o.created = kCreated;
  o.include_usage = true;
  check_stream_dir<AnthropicToOpenAiStream>("stream_anthropic_to_openai", 4, o);
}

// seed-defect: 004-P9
TEST(TranslationGolden, OpenAiStreamsToAnthropic) {
  check_stream_dir<OpenAiToAnthropicStream>("stream_openai_to_anthropic", 4, StreamOptions{});
}

}  // namespace
}  // namespace ringgate::providers
