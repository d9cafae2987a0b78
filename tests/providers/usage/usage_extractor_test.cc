// UsageExtractor against the corpus in corpus/ (one <case>.body with the raw bytes an upstream
// sent and one <case>.expect.json with its shape and the exact numbers), fed whole, a byte at a
// time, split at every position and split at random; against the output of our own stream and
// response translators; and against hostile input and the size caps.
#include "providers/usage/usage_extractor.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/sse_framer.h"
#include "providers/anthropic_to_openai_stream.h"
#include "providers/openai_to_anthropic_stream.h"
#include "providers/response_translator.h"
#include "tests/providers/translation_test_support.h"
#include "tests/providers/usage/allocation_counter.h"

namespace ringgate::providers {
namespace {

using testing::read_file;

const std::string kCorpus = RINGGATE_USAGE_CORPUS_DIR;

struct Case {
  std::string name;
  UsageShape shape = UsageShape::kOpenAiChat;
  bool streamed = false;
  std::string body;
  Usage expect;
};

UsageShape shape_named(std::string_view s) {
  if (s == "openai_chat") return UsageShape::kOpenAiChat;
  if (s == "openai_completions") return UsageShape::kOpenAiCompletions;
  if (s == "openai_embeddings") return UsageShape::kOpenAiEmbeddings;
  if (s == "openai_responses") return UsageShape::kOpenAiResponses;
  if (s == "anthropic_messages") return UsageShape::kAnthropicMessages;
  ADD_FAILURE() << "unknown shape " << s;
  return UsageShape::kOpenAiChat;
}

Case load_case(const std::string& name) {
  Case c;
  c.name = name;
  c.body = read_file(kCorpus + "/" + name + ".body");
  const std::string sidecar = read_file(kCorpus + "/" + name + ".expect.json");
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(sidecar);
  c.shape = shape_named(std::string_view(root["shape"]));
  c.streamed = bool(root["streamed"]);
  simdjson::dom::element e = root["expect"];
  Usage& u = c.expect;
  u.input_tokens = int64_t(e["input_tokens"]);
  u.output_tokens = int64_t(e["output_tokens"]);
  u.cached_input_tokens = int64_t(e["cached_input_tokens"]);
  u.cache_creation_tokens = int64_t(e["cache_creation_tokens"]);
  u.reasoning_tokens = int64_t(e["reasoning_tokens"]);
  u.reported = bool(e["reported"]);
  u.complete = bool(e["complete"]);
  u.truncated = bool(e["truncated"]);
  u.model = std::string(std::string_view(e["model"]));
  u.finish_reason = std::string(std::string_view(e["finish_reason"]));
  return c;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  constexpr std::string_view kSuffix = ".expect.json";
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
    const std::string file = entry.path().filename().string();
    if (file.size() > kSuffix.size() && file.ends_with(kSuffix)) {
      names.push_back(file.substr(0, file.size() - kSuffix.size()));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string describe(const Usage& u) {
  return "input=" + std::to_string(u.input_tokens) + " output=" + std::to_string(u.output_tokens) +
         " cached=" + std::to_string(u.cached_input_tokens) +
         " creation=" + std::to_string(u.cache_creation_tokens) +
         " reasoning=" + std::to_string(u.reasoning_tokens) +
         " reported=" + std::to_string(u.reported) + " complete=" + std::to_string(u.complete) +
         " truncated=" + std::to_string(u.truncated) + " model='" + u.model + "' finish='" +
         u.finish_reason + "'";
}

bool same(const Usage& a, const Usage& b) {
  return a.input_tokens == b.input_tokens && a.output_tokens == b.output_tokens &&
         a.cached_input_tokens == b.cached_input_tokens &&
         a.cache_creation_tokens == b.cache_creation_tokens &&
         a.reasoning_tokens == b.reasoning_tokens && a.reported == b.reported &&
         a.complete == b.complete && a.truncated == b.truncated && a.model == b.model &&
         a.finish_reason == b.finish_reason;
}

#define EXPECT_USAGE(actual, expected) \
  EXPECT_TRUE(same(actual, expected))  \
      << "got      " << describe(actual) << "\nexpected " << describe(expected)

// Feeds the body in pieces ending at the given offsets (the last piece runs to the end).
Usage extract(UsageExtractor& x, UsageShape shape, bool streamed, std::string_view body,
              const std::vector<size_t>& cuts = {}) {
  x.reset(shape, streamed);
  size_t at = 0;
  for (size_t cut : cuts) {
    x.feed(body.substr(at, cut - at));
    at = cut;
  }
  x.feed(body.substr(at));
  return x.finish();
}

Usage extract(UsageShape shape, bool streamed, std::string_view body) {
  UsageExtractor x;
  return extract(x, shape, streamed, body);
}

class UsageCorpusTest : public ::testing::TestWithParam<std::string> {};

TEST_P(UsageCorpusTest, WholeBody) {
  const Case c = load_case(GetParam());
  UsageExtractor x;
  EXPECT_USAGE(extract(x, c.shape, c.streamed, c.body), c.expect);
  // The record is stable: finish() again returns the same, later feeds are ignored.
  x.feed("data: {\"usage\":{\"prompt_tokens\":99999}}\n\n");
  EXPECT_USAGE(x.finish(), c.expect);
}

TEST_P(UsageCorpusTest, OneByteAtATime) {
  const Case c = load_case(GetParam());
  std::vector<size_t> cuts;
  for (size_t i = 1; i < c.body.size(); ++i) cuts.push_back(i);
  UsageExtractor x;
  EXPECT_USAGE(extract(x, c.shape, c.streamed, c.body, cuts), c.expect);
}

TEST_P(UsageCorpusTest, TwoPiecesSplitAtEveryPosition) {
  const Case c = load_case(GetParam());
  UsageExtractor x;  // one extractor for every run: reset() must leave nothing behind
  for (size_t i = 0; i <= c.body.size(); ++i) {
    const Usage got = extract(x, c.shape, c.streamed, c.body, {i});
    ASSERT_TRUE(same(got, c.expect)) << "split at " << i << "\ngot      " << describe(got)
                                     << "\nexpected " << describe(c.expect);
  }
}

TEST_P(UsageCorpusTest, RandomSplits) {
  const Case c = load_case(GetParam());
  std::mt19937 rng(20261201);
  UsageExtractor x;
  for (int round = 0; round < 200; ++round) {
    std::vector<size_t> cuts;
    std::uniform_int_distribution<size_t> step(1, 1 + round % 97);
    for (size_t at = step(rng); at < c.body.size(); at += step(rng)) cuts.push_back(at);
    const Usage got = extract(x, c.shape, c.streamed, c.body, cuts);
    ASSERT_TRUE(same(got, c.expect)) << "round " << round << "\ngot      " << describe(got)
                                     << "\nexpected " << describe(c.expect);
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, UsageCorpusTest, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

TEST(UsageCorpus, CoversEveryShapeStreamedAndNot) {
  std::set<std::pair<UsageShape, bool>> seen;
  for (const std::string& name : case_names()) {
    const Case c = load_case(name);
    seen.insert({c.shape, c.streamed});
  }
  for (UsageShape s : {UsageShape::kOpenAiChat, UsageShape::kOpenAiCompletions,
                       UsageShape::kOpenAiResponses, UsageShape::kAnthropicMessages}) {
    EXPECT_TRUE(seen.count({s, false})) << int(s);
    EXPECT_TRUE(seen.count({s, true})) << int(s);
  }
  EXPECT_TRUE(seen.count({UsageShape::kOpenAiEmbeddings, false}));
}

// --- Our translators: the client-side stream must bill exactly what the upstream's did. ---

template <class Translator>
std::string translate_stream(std::string_view upstream, StreamOptions options) {
  Translator t(options);
  protocol::SseFramer framer;
  std::string out;
  framer.feed(upstream, [&](const protocol::SseEvent& e) { t.on_event(e.event, e.data, out); });
  t.finish(out);
  return out;
}

StreamOptions with_usage() {
  StreamOptions o;
  o.include_usage = true;
  o.created = 1;
  return o;
}

// The numbers both sides can carry. OpenAI's shape has no cache-write count, so Anthropic's
// cache_creation_input_tokens arrive inside prompt_tokens, billed at the input price; Anthropic's
// shape has no reasoning count.
void expect_same_bill(const Usage& upstream, const Usage& client, bool same_model = true) {
  EXPECT_EQ(client.total_input(), upstream.total_input());
  EXPECT_EQ(client.cached_input_tokens, upstream.cached_input_tokens);
  EXPECT_EQ(client.output_tokens, upstream.output_tokens);
  EXPECT_EQ(client.reported, upstream.reported);
  if (same_model) {
    EXPECT_EQ(client.model, upstream.model);
  }
}

TEST(UsageThroughTranslators, AnthropicStreamToOpenAiChat) {
  for (const std::string name : {"anthropic_stream_cache", "anthropic_stream_delta_overrides",
                                 "anthropic_stream_multiline_crlf"}) {
    SCOPED_TRACE(name);
    const Case c = load_case(name);
    const std::string client = translate_stream<AnthropicToOpenAiStream>(c.body, with_usage());
    const Usage up = extract(UsageShape::kAnthropicMessages, true, c.body);
    const Usage down = extract(UsageShape::kOpenAiChat, true, client);
    EXPECT_USAGE(up, c.expect);
    expect_same_bill(up, down);
    EXPECT_EQ(down.input_tokens, up.input_tokens + up.cache_creation_tokens);
    EXPECT_EQ(down.finish_reason, finish_reason_for_stop_reason(up.finish_reason));
    EXPECT_TRUE(down.complete);
  }
}

TEST(UsageThroughTranslators, OpenAiChatStreamToAnthropic) {
  for (const std::string name :
       {"openai_chat_stream_include_usage", "openai_chat_stream_crlf",
        "openai_chat_stream_reasoning", "vllm_stream_cumulative_usage",
        "ollama_stream_usage_on_last_choice", "azure_stream_prompt_filter"}) {
    SCOPED_TRACE(name);
    const Case c = load_case(name);
    const std::string client = translate_stream<OpenAiToAnthropicStream>(c.body, StreamOptions{});
    const Usage up = extract(UsageShape::kOpenAiChat, true, c.body);
    const Usage down = extract(UsageShape::kAnthropicMessages, true, client);
    EXPECT_USAGE(up, c.expect);
    // OpenAiToAnthropicStream names the model from the first chunk, which on Azure is a
    // prompt_filter_results chunk with model "": its message_start says model "" (a translator
    // defect, not a usage one; the bill is the same).
    expect_same_bill(up, down, name != "azure_stream_prompt_filter");
    EXPECT_EQ(down.input_tokens, up.input_tokens);  // despite message_start's input_tokens 0
    EXPECT_EQ(down.cache_creation_tokens, 0);
    EXPECT_EQ(down.finish_reason, stop_reason_for_finish_reason(up.finish_reason));
    EXPECT_TRUE(down.complete);
  }
}

TEST(UsageThroughTranslators, NonStreamResponses) {
  ResponseOptions options;
  options.created = 1;
  {
    const Case c = load_case("anthropic_cache_creation_and_read");
    const TranslateResult r = anthropic_response_to_openai(c.body, options);
    ASSERT_TRUE(r.ok) << r.error_message;
    const Usage up = extract(UsageShape::kAnthropicMessages, false, c.body);
    const Usage down = extract(UsageShape::kOpenAiChat, false, r.body);
    EXPECT_USAGE(up, c.expect);
    expect_same_bill(up, down);
    EXPECT_EQ(down.finish_reason, "stop");
  }
  for (const std::string name : {"openai_chat_cached_reasoning", "openai_chat_two_choices"}) {
    SCOPED_TRACE(name);
    const Case c = load_case(name);
    const TranslateResult r = openai_response_to_anthropic(c.body, options);
    ASSERT_TRUE(r.ok) << r.error_message;
    const Usage up = extract(UsageShape::kOpenAiChat, false, c.body);
    const Usage down = extract(UsageShape::kAnthropicMessages, false, r.body);
    EXPECT_USAGE(up, c.expect);
    expect_same_bill(up, down);
    EXPECT_EQ(down.input_tokens, up.input_tokens);
  }
}

// --- Hostile and odd input. ---

struct HostileCase {
  const char* name;
  UsageShape shape;
  bool streamed;
  std::string_view body;
  int64_t input, output, cached, creation, reasoning;
  bool reported;
};

constexpr int64_t kMax = Usage::kMaxTokenCount;

const HostileCase kHostile[] = {
    {"negative_counts", UsageShape::kOpenAiChat, false,
     R"({"usage":{"prompt_tokens":-5,"completion_tokens":-1,"prompt_tokens_details":{"cached_tokens":-3}}})",
     0, 0, 0, 0, 0, true},
    {"huge_counts_clamp", UsageShape::kOpenAiChat, false,
     R"({"usage":{"prompt_tokens":18446744073709551615,"completion_tokens":9223372036854775807}})",
     kMax, kMax, 0, 0, 0, true},
    {"floats_and_strings_ignored", UsageShape::kOpenAiChat, false,
     R"({"usage":{"prompt_tokens":1e30,"completion_tokens":"12","prompt_tokens_details":{"cached_tokens":true}}})",
     0, 0, 0, 0, 0, true},
    {"cached_above_prompt_is_clamped", UsageShape::kOpenAiChat, false,
     R"({"usage":{"prompt_tokens":10,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":50}}})",
     0, 1, 10, 0, 0, true},
    {"details_of_wrong_type", UsageShape::kOpenAiChat, false,
     R"({"usage":{"prompt_tokens":10,"completion_tokens":4,"prompt_tokens_details":[1],"completion_tokens_details":"x"}})",
     10, 4, 0, 0, 0, true},
    {"usage_not_an_object", UsageShape::kOpenAiChat, false, R"({"usage":[1,2,3],"model":7})", 0, 0,
     0, 0, 0, false},
    {"top_level_array", UsageShape::kOpenAiChat, false, R"([{"usage":{"prompt_tokens":3}}])", 0, 0,
     0, 0, 0, false},
    {"malformed_json", UsageShape::kOpenAiChat, false, R"({"usage":{"prompt_tokens":3})", 0, 0, 0,
     0, 0, false},
    {"empty_body", UsageShape::kAnthropicMessages, false, "", 0, 0, 0, 0, 0, false},
    {"anthropic_wrong_type_keeps_earlier", UsageShape::kAnthropicMessages, true,
     "data: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":7,"
     "\"output_tokens\":1}}}\n\n"
     "data: "
     "{\"type\":\"message_delta\",\"usage\":{\"input_tokens\":\"x\",\"output_tokens\":9}}\n\n",
     7, 9, 0, 0, 0, true},
    {"malformed_event_skipped", UsageShape::kOpenAiChat, true,
     "data: {\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\n"
     "data: {\"usage\":{\"prompt_tokens\":\n\n"
     "data: [1,2]\n\ndata: \"str\"\n\ndata:\n\n",
     5, 2, 0, 0, 0, true},
    {"responses_deltas_never_parsed", UsageShape::kOpenAiResponses, true,
     "event: response.output_text.delta\ndata: {\"type\":\"response.completed\",\"response\":"
     "{\"usage\":{\"input_tokens\":5}}}\n\n",
     0, 0, 0, 0, 0, false},
    {"stream_without_final_blank_line", UsageShape::kOpenAiChat, true,
     "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":6}}\n", 4, 6, 0, 0,
     0, true},
};

TEST(UsageHostile, Table) {
  UsageExtractor x;
  for (const HostileCase& h : kHostile) {
    SCOPED_TRACE(h.name);
    const Usage u = extract(x, h.shape, h.streamed, h.body);
    EXPECT_EQ(u.input_tokens, h.input);
    EXPECT_EQ(u.output_tokens, h.output);
    EXPECT_EQ(u.cached_input_tokens, h.cached);
    EXPECT_EQ(u.cache_creation_tokens, h.creation);
    EXPECT_EQ(u.reasoning_tokens, h.reasoning);
    EXPECT_EQ(u.reported, h.reported);
  }
}

TEST(UsageHostile, DeepNesting) {
  const auto nested = [](size_t depth) {
    return "{\"a\":" + std::string(depth, '[') + std::string(depth, ']') +
           ",\"usage\":{\"prompt_tokens\":1}}";
  };
  EXPECT_EQ(extract(UsageShape::kOpenAiChat, false, nested(500)).input_tokens, 1);
  // Past simdjson's depth limit the body is not JSON: nothing is read, nothing crashes.
  const Usage deep = extract(UsageShape::kOpenAiChat, false, nested(5000));
  EXPECT_FALSE(deep.reported);
  EXPECT_FALSE(deep.complete);
}

TEST(UsageHostile, MalformedEventsAreCounted) {
  UsageExtractor x;
  extract(x, UsageShape::kOpenAiChat, true, "data: {\n\ndata: nope\n\ndata: [DONE]\n\n");
  EXPECT_EQ(x.malformed_events(), 2u);
  EXPECT_TRUE(x.usage().complete);
}

TEST(UsageHostile, LongModelNameIsCutAtACharacterBoundary) {
  std::string model(Usage::kMaxNameBytes - 1, 'm');
  model += "\xC3\xA9tail";  // a two-byte character straddling the cut
  const Usage u =
      extract(UsageShape::kOpenAiChat, false, "{\"model\":\"" + model + "\",\"usage\":{}}");
  EXPECT_EQ(u.model, std::string(Usage::kMaxNameBytes - 1, 'm'));
}

// --- Caps. ---

TEST(UsageLimits, OversizedEventIsSkippedAndFlagged) {
  UsageExtractor::Limits limits;
  limits.max_event_bytes = 256;
  UsageExtractor x(limits);
  const std::string big = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" +
                          std::string(1000, 'a') + "\"}}],\"usage\":null}\n\n";
  const std::string body = "data: {\"model\":\"m\",\"choices\":[]}\n\n" + big +
                           "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,"
                           "\"completion_tokens\":400}}\n\ndata: [DONE]\n\n";
  for (size_t piece : {body.size(), size_t{1}, size_t{7}, size_t{300}}) {
    SCOPED_TRACE(piece);
    std::vector<size_t> cuts;
    for (size_t at = piece; at < body.size(); at += piece) cuts.push_back(at);
    const Usage u = extract(x, UsageShape::kOpenAiChat, true, body, cuts);
    EXPECT_TRUE(u.truncated);
    EXPECT_TRUE(u.complete);
    EXPECT_EQ(u.input_tokens, 3);
    EXPECT_EQ(u.output_tokens, 400);
    EXPECT_EQ(u.model, "m");
    EXPECT_EQ(x.dropped_events(), 1u);
  }
}

TEST(UsageLimits, OversizedBodyFallsBackToTheLastUsageObject) {
  UsageExtractor::Limits limits;
  limits.max_body_bytes = 4096;
  limits.tail_bytes = 1024;
  UsageExtractor x(limits);
  struct Fallback {
    UsageShape shape;
    std::string body;
    Usage expect;
  };
  const std::string filler(20000, 'x');
  std::vector<Fallback> cases;
  {
    Fallback f{UsageShape::kOpenAiChat,
               "{\"id\":\"c\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"message\":{"
               "\"content\":\"" +
                   filler +
                   " \\\"usage\\\": {\\\"prompt_tokens\\\": 1}\"},\"finish_reason\":\"length\"}],"
                   "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":5000,"
                   "\"prompt_tokens_details\":{\"cached_tokens\":64}}}",
               {}};
    f.expect.input_tokens = 36;
    f.expect.cached_input_tokens = 64;
    f.expect.output_tokens = 5000;
    f.expect.model = "gpt-4o";
    f.expect.finish_reason = "length";
    cases.push_back(f);
  }
  {
    Fallback f{UsageShape::kOpenAiEmbeddings,
               "{\"object\":\"list\",\"data\":[{\"embedding\":[" + std::string(5000, '0') +
                   "]}],\"model\":\"text-embedding-3-large\",\"usage\":{\"prompt_tokens\":8191,"
                   "\"total_tokens\":8191}}",
               {}};
    f.expect.input_tokens = 8191;
    f.expect.model = "text-embedding-3-large";
    cases.push_back(f);
  }
  {
    Fallback f{UsageShape::kAnthropicMessages,
               "{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\","
               "\"content\":[{\"type\":\"text\",\"text\":\"" +
                   filler +
                   "\"}],\"stop_reason\":\"max_tokens\",\"usage\":{\"input_tokens\":3,"
                   "\"cache_creation_input_tokens\":5,\"cache_read_input_tokens\":7,"
                   "\"output_tokens\":9000}}",
               {}};
    f.expect.input_tokens = 3;
    f.expect.cache_creation_tokens = 5;
    f.expect.cached_input_tokens = 7;
    f.expect.output_tokens = 9000;
    f.expect.model = "claude-x";
    f.expect.finish_reason = "max_tokens";
    cases.push_back(f);
  }
  {
    Fallback f{UsageShape::kOpenAiResponses,
               "{\"id\":\"r\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"o3\","
               "\"output\":[{\"type\":\"message\",\"status\":\"completed\",\"content\":[{\"text\":"
               "\"" +
                   filler +
                   "\"}]}],\"usage\":{\"input_tokens\":50,\"input_tokens_details\":{"
                   "\"cached_tokens\":10},\"output_tokens\":70,\"output_tokens_details\":{"
                   "\"reasoning_tokens\":60}}}",
               {}};
    f.expect.input_tokens = 40;
    f.expect.cached_input_tokens = 10;
    f.expect.output_tokens = 70;
    f.expect.reasoning_tokens = 60;
    f.expect.model = "o3";
    f.expect.finish_reason = "completed";
    cases.push_back(f);
  }
  for (Fallback& f : cases) {
    SCOPED_TRACE(f.body.substr(0, 40));
    f.expect.reported = true;
    f.expect.truncated = true;
    for (size_t piece : {f.body.size(), size_t{1}, size_t{333}, size_t{4096}, size_t{5000}}) {
      SCOPED_TRACE(piece);
      std::vector<size_t> cuts;
      for (size_t at = piece; at < f.body.size(); at += piece) cuts.push_back(at);
      EXPECT_USAGE(extract(x, f.shape, false, f.body, cuts), f.expect);
    }
  }
}

TEST(UsageLimits, BodyAtTheCapIsParsedExactly) {
  UsageExtractor::Limits limits;
  const std::string body = "{\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3}}";
  limits.max_body_bytes = body.size();
  UsageExtractor x(limits);
  const Usage u = extract(x, UsageShape::kOpenAiChat, false, body);
  EXPECT_FALSE(u.truncated);
  EXPECT_TRUE(u.complete);
  EXPECT_EQ(u.output_tokens, 3);
  const Usage over = extract(x, UsageShape::kOpenAiChat, false, body + " ");
  EXPECT_TRUE(over.truncated);
  EXPECT_EQ(over.output_tokens, 3);  // read by the fallback
}

TEST(UsageReuse, ResetForgetsEverythingAcrossShapes) {
  UsageExtractor x;
  const Case a = load_case("anthropic_stream_cache");
  const Case o = load_case("openai_chat_no_usage");
  EXPECT_USAGE(extract(x, a.shape, a.streamed, a.body), a.expect);
  // A half-fed stream must not leak into the next request.
  x.reset(UsageShape::kOpenAiChat, true);
  x.feed("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5");
  EXPECT_USAGE(extract(x, o.shape, o.streamed, o.body), o.expect);
}

TEST(UsageReuse, WarmExtractorDoesNotAllocate) {
  if (!testing::kCountsAllocations) GTEST_SKIP() << "sanitizer build: allocations not counted";
  UsageExtractor x;
  std::vector<Case> cases;
  for (const std::string& name : case_names()) cases.push_back(load_case(name));
  const auto cuts_of = [](const Case& c) {
    std::vector<size_t> cuts;
    for (size_t at = 3; at < c.body.size(); at += 5) cuts.push_back(at);
    return cuts;
  };
  // Warm means having held events as large, reassembled across pieces as these will be.
  for (const Case& c : cases) extract(x, c.shape, c.streamed, c.body, cuts_of(c));
  for (const Case& c : cases) {
    const std::vector<size_t> cuts = cuts_of(c);
    const std::string_view body = c.body;
    testing::AllocationCounter counter;
    x.reset(c.shape, c.streamed);
    size_t at = 0;
    for (size_t cut : cuts) {
      x.feed(body.substr(at, cut - at));
      at = cut;
    }
    x.feed(body.substr(at));
    const bool reported = x.finish().reported;
    EXPECT_EQ(counter.allocations(), 0u) << c.name;
    EXPECT_EQ(reported, c.expect.reported);
  }
}

}  // namespace
}  // namespace ringgate::providers
