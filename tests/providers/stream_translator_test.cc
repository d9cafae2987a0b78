#include <gtest/gtest.h>

#include <string>

#include "providers/anthropic_to_openai_stream.h"
#include "providers/openai_to_anthropic_stream.h"
#include "tests/providers/translation_test_support.h"

namespace ringgate::providers {
namespace {

using testing::parse_sse;
using testing::run_stream;
using testing::SseRecord;

constexpr std::string_view kStart =
    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
    "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude\","
    "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":7,"
    "\"output_tokens\":1}}}\n\n";
constexpr std::string_view kText =
    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
    "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
    "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n";
constexpr std::string_view kEnd =
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
    "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}\n\n"
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

StreamOptions opts(bool include_usage) {
  StreamOptions o;
  o.created = 5;
  o.include_usage = include_usage;
  return o;
}

size_t count_done(const std::vector<SseRecord>& events) {
  size_t n = 0;
  for (auto& e : events) n += e.data == "[DONE]";
  return n;
}

// seed-defect: 004-P9 (exactly one [DONE], last)
TEST(AnthropicToOpenAiStream, EndsWithExactlyOneDoneAndUsageOnlyWhenAsked) {
  for (bool include_usage : {false, true}) {
    AnthropicToOpenAiStream s(opts(include_usage));
    const std::string out =
        run_stream(s, std::string(kStart) + std::string(kText) + std::string(kEnd), {});
    auto events = parse_sse(out);
    ASSERT_GE(events.size(), 3u);
    EXPECT_EQ(count_done(events), 1u);
    EXPECT_EQ(events.back().data, "[DONE]");
    const bool usage_chunk =
        events[events.size() - 2].data.find("\"choices\":[]") != std::string::npos;
    EXPECT_EQ(usage_chunk, include_usage) << out;
    EXPECT_EQ(out.find("\"usage\":null") != std::string::npos, include_usage);
    EXPECT_EQ(s.usage().prompt_tokens, 7);
    EXPECT_EQ(s.usage().completion_tokens, 3);
  }
}

TEST(AnthropicToOpenAiStream, CutStreamEndsWithAnErrorThenDone) {
  AnthropicToOpenAiStream s(opts(true));
  const std::string out = run_stream(s, std::string(kStart) + std::string(kText), {});
  auto events = parse_sse(out);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.back().data, "[DONE]");
  EXPECT_NE(events[events.size() - 2].data.find("\"error\""), std::string::npos);
  EXPECT_EQ(count_done(events), 1u);
}

TEST(AnthropicToOpenAiStream, MissingMessageStopAfterMessageDeltaIsStillComplete) {
  AnthropicToOpenAiStream s(opts(false));
  std::string input = std::string(kStart) + std::string(kText) + std::string(kEnd);
  input.resize(input.find("event: message_stop"));
  const std::string out = run_stream(s, input, {});
  EXPECT_EQ(out.find("\"error\""), std::string::npos) << out;
  EXPECT_EQ(parse_sse(out).back().data, "[DONE]");
}

TEST(AnthropicToOpenAiStream, DuplicateMessageStartAndEventsAfterTheEndAreIgnored) {
  AnthropicToOpenAiStream s(opts(false));
  const std::string input = std::string(kStart) + std::string(kStart) + std::string(kText) +
                            std::string(kEnd) + std::string(kText) + std::string(kEnd);
  const std::string out = run_stream(s, input, {});
  auto events = parse_sse(out);
  size_t role_chunks = 0;
  for (auto& e : events) role_chunks += e.data.find("\"role\":\"assistant\"") != std::string::npos;
  EXPECT_EQ(role_chunks, 1u);
  EXPECT_EQ(count_done(events), 1u);
  // role chunk, one text chunk, finish chunk, [DONE].
  EXPECT_EQ(events.size(), 4u) << out;
}

TEST(AnthropicToOpenAiStream, GarbageBeforeMessageStartIsAnError) {
  AnthropicToOpenAiStream s(opts(false));
  std::string out;
  s.on_event("content_block_delta", "{\"type\":\"content_block_delta\"}", out);
  EXPECT_TRUE(s.done());
  EXPECT_NE(out.find("\"error\""), std::string::npos);
  std::string more;
  s.finish(more);
  EXPECT_TRUE(more.empty());
}

// A stream the gateway cannot relay whole (an upstream event was too large to keep) must not
// end as if complete: fail() emits the client's error event, then the stream is over.
TEST(AnthropicToOpenAiStream, FailEndsTheStreamWithAnErrorEvenAfterTheFinishReason) {
  for (bool after_delta : {false, true}) {
    AnthropicToOpenAiStream s(opts(false));
    std::string input = std::string(kStart) + std::string(kText);
    if (after_delta) {
      input += std::string(kEnd);
      input.resize(input.find("event: message_stop"));
    }
    std::string out;
    protocol::SseFramer framer;
    framer.feed(input, [&](const protocol::SseEvent& e) { s.on_event(e.event, e.data, out); });
    const size_t before = out.size();
    s.fail(out, "event too large");
    s.finish(out);  // nothing more: fail() ended the stream
    auto events = parse_sse(out.substr(before));
    ASSERT_EQ(events.size(), 2u) << out;
    EXPECT_NE(events[0].data.find("\"message\":\"event too large\""), std::string::npos);
    EXPECT_EQ(events[1].data, "[DONE]");
    EXPECT_TRUE(s.done());
  }
}

TEST(AnthropicToOpenAiStream, FailAfterACompleteStreamAddsNothing) {
  AnthropicToOpenAiStream s(opts(false));
  std::string out = run_stream(s, std::string(kStart) + std::string(kText) + std::string(kEnd), {});
  const std::string complete = out;
  s.fail(out, "late");
  EXPECT_EQ(out, complete);
}

TEST(AnthropicToOpenAiStream, ResponseFormatToolStreamsAsContent) {
  StreamOptions o = opts(false);
  o.response_format_tool = "answer";
  AnthropicToOpenAiStream s(o);
  std::string out;
  s.on_event("message_start", kStart.substr(kStart.find("{")), out);
  s.on_event(
      "content_block_start",
      R"({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"answer","input":{}}})",
      out);
  s.on_event(
      "content_block_delta",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}})",
      out);
  s.on_event(
      "message_delta",
      R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":2}})",
      out);
  s.on_event("message_stop", R"({"type":"message_stop"})", out);
  EXPECT_EQ(out.find("tool_calls"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("content":"{\"a\":")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("finish_reason":"stop")"), std::string::npos) << out;
}

constexpr std::string_view kChunkText =
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt\","
    "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
    "\"finish_reason\":null}]}\n\n";
constexpr std::string_view kChunkStop =
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt\","
    "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n";
constexpr std::string_view kChunkUsage =
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt\","
    "\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":2,\"total_tokens\":13}}"
    "\n\n";

std::vector<std::string> event_names(const std::string& out) {
  std::vector<std::string> names;
  for (auto& e : parse_sse(out)) names.push_back(e.event);
  return names;
}

// seed-defect: 004-P9 (one message_start, blocks closed, [DONE] -> message_stop)
TEST(OpenAiToAnthropicStream, ProducesTheCanonicalEventSequence) {
  OpenAiToAnthropicStream s(StreamOptions{});
  const std::string out = run_stream(s,
                                     std::string(kChunkText) + std::string(kChunkStop) +
                                         std::string(kChunkUsage) + "data: [DONE]\n\n",
                                     {});
  EXPECT_EQ(event_names(out),
            (std::vector<std::string>{"message_start", "content_block_start", "content_block_delta",
                                      "content_block_stop", "message_delta", "message_stop"}));
  auto events = parse_sse(out);
  EXPECT_NE(events[4].data.find("\"stop_reason\":\"max_tokens\""), std::string::npos);
  EXPECT_NE(events[4].data.find("\"input_tokens\":11"), std::string::npos);
  EXPECT_NE(events[4].data.find("\"output_tokens\":2"), std::string::npos);
  EXPECT_EQ(s.usage().prompt_tokens, 11);
  EXPECT_EQ(s.usage().completion_tokens, 2);
}

// message_start carries the gateway's prompt count when it has one; message_delta the upstream's.
TEST(OpenAiToAnthropicStream, MessageStartTakesTheGatewaysInputCount) {
  StreamOptions o;
  o.input_tokens = 42;
  OpenAiToAnthropicStream s(std::move(o));
  const std::string out = run_stream(s,
                                     std::string(kChunkText) + std::string(kChunkStop) +
                                         std::string(kChunkUsage) + "data: [DONE]\n\n",
                                     {});
  auto events = parse_sse(out);
  EXPECT_NE(events[0].data.find("\"input_tokens\":42"), std::string::npos) << events[0].data;
  EXPECT_NE(events[4].data.find("\"input_tokens\":11"), std::string::npos) << events[4].data;
}

TEST(OpenAiToAnthropicStream, MissingDoneAfterFinishReasonStillCloses) {
  OpenAiToAnthropicStream s(StreamOptions{});
  const std::string out = run_stream(s, std::string(kChunkText) + std::string(kChunkStop), {});
  EXPECT_EQ(event_names(out).back(), "message_stop");
}

TEST(OpenAiToAnthropicStream, CutStreamEndsWithAnErrorEvent) {
  OpenAiToAnthropicStream s(StreamOptions{});
  const std::string out = run_stream(s, std::string(kChunkText), {});
  auto names = event_names(out);
  EXPECT_EQ(names.back(), "error");
  EXPECT_EQ(std::count(names.begin(), names.end(), "message_stop"), 0);
}

TEST(OpenAiToAnthropicStream, FailEndsTheStreamWithAnErrorEventNotMessageStop) {
  for (bool after_finish : {false, true}) {
    OpenAiToAnthropicStream s(StreamOptions{});
    std::string input(kChunkText);
    if (after_finish) input += std::string(kChunkStop);
    std::string out;
    protocol::SseFramer framer;
    framer.feed(input, [&](const protocol::SseEvent& e) { s.on_event(e.event, e.data, out); });
    s.fail(out, "event too large");
    s.finish(out);
    auto events = parse_sse(out);
    auto names = event_names(out);
    EXPECT_EQ(names.back(), "error") << out;
    EXPECT_EQ(std::count(names.begin(), names.end(), "message_stop"), 0);
    EXPECT_EQ(std::count(names.begin(), names.end(), "error"), 1);
    EXPECT_NE(events.back().data.find("\"message\":\"event too large\""), std::string::npos);
  }
}

TEST(OpenAiToAnthropicStream, DoneAloneStillYieldsAWellFormedMessage) {
  OpenAiToAnthropicStream s(StreamOptions{"m", "msg_x", 0, false, "", -1, ""});
  const std::string out = run_stream(s, "data: [DONE]\n\n", {});
  EXPECT_EQ(event_names(out),
            (std::vector<std::string>{"message_start", "message_delta", "message_stop"}));
}

TEST(OpenAiToAnthropicStream, ToolCallWithoutIdGetsAStableSyntheticOne) {
  OpenAiToAnthropicStream s(StreamOptions{});
  std::string out;
  s.on_event(
      "",
      R"({"id":"c9","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"f","arguments":"{}"}}]}}]})",
      out);
  EXPECT_NE(out.find(R"("id":"toolu_c90")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("name":"f")"), std::string::npos);
}

// Azure OpenAI opens a stream with a chunk that names no id and has no choices, only the
// prompt's content-filter verdict: message_start waits for the first chunk that has an id.
constexpr std::string_view kAzureFirst =
    "data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\","
    "\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{\"hate\":"
    "{\"filtered\":false,\"severity\":\"safe\"}}}]}\n\n";

TEST(OpenAiToAnthropicStream, AzuresIdlessFirstChunkWaitsForTheRealId) {
  StreamOptions o;
  o.model = "gpt-4o";
  o.fallback_id = "msg_req1";
  OpenAiToAnthropicStream s(std::move(o));
  std::string out;
  s.on_event("", std::string_view(kAzureFirst).substr(6, kAzureFirst.size() - 8), out);
  EXPECT_EQ(out, "");  // nothing known yet: no message_start with an empty id
  out = run_stream(s,
                   std::string(kChunkText) + std::string(kChunkStop) + std::string(kChunkUsage) +
                       "data: [DONE]\n\n",
                   {});
  auto events = parse_sse(out);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].event, "message_start");
  EXPECT_NE(events[0].data.find(R"("id":"c1")"), std::string::npos) << events[0].data;
  EXPECT_NE(events[0].data.find(R"("model":"gpt-4o")"), std::string::npos) << events[0].data;
  EXPECT_EQ(event_names(out).back(), "message_stop");
}

// An upstream that never sends an id: the message gets the fallback, before any content.
TEST(OpenAiToAnthropicStream, NoIdEverGetsTheFallbackId) {
  for (std::string_view fallback : {"msg_req2", ""}) {
    StreamOptions o;
    o.fallback_id = std::string(fallback);
    OpenAiToAnthropicStream s(std::move(o));
    const std::string out = run_stream(
        s,
        std::string(kAzureFirst) +
            "data: {\"id\":\"\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"
            "data: {\"id\":\"late\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":"
            "\"stop\"}]}\n\ndata: [DONE]\n\n",
        {});
    auto events = parse_sse(out);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events[0].event, "message_start");
    const std::string want =
        std::string(R"("id":")") + std::string(fallback.empty() ? "msg_ringgate" : fallback) + "\"";
    EXPECT_NE(events[0].data.find(want), std::string::npos) << events[0].data;
    EXPECT_EQ(event_names(out), (std::vector<std::string>{
                                    "message_start", "content_block_start", "content_block_delta",
                                    "content_block_stop", "message_delta", "message_stop"}));
  }
  // [DONE] alone, no id at all.
  StreamOptions o;
  o.fallback_id = "msg_req3";
  OpenAiToAnthropicStream s(std::move(o));
  const std::string out = run_stream(s, std::string(kAzureFirst) + "data: [DONE]\n\n", {});
  EXPECT_NE(out.find(R"("id":"msg_req3")"), std::string::npos) << out;
}

}  // namespace
}  // namespace ringgate::providers
