// SSE answers back into whole JSON answers (the cache fill): round trips through the replay,
// upstream-shaped streams, and every way a stream can be unfinished.
#include "providers/stream_assembly.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "providers/cache_replay.h"

namespace ringgate::providers {
namespace {

constexpr std::string_view kOpenAi = R"({"id":"chatcmpl-1","object":"chat.completion",
  "created":1700000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant",
  "content":"Héllo wörld, this is a cached answer that is long enough to be cut in pieces.",
  "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather",
  "arguments":"{\"city\":\"Zürich\",\"unit\":\"celsius\"}"}}]},"finish_reason":"tool_calls"}],
  "usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}})";

constexpr std::string_view kAnthropic = R"({"id":"msg_1","type":"message","role":"assistant",
  "model":"claude-x","content":[{"type":"thinking","thinking":"Let me think.","signature":"sig"},
  {"type":"text","text":"Héllo wörld, this is a cached answer that is long enough to cut."},
  {"type":"tool_use","id":"tu_1","name":"get_weather","input":{"city":"Zürich"}}],
  "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":7}})";

simdjson::dom::element parse(simdjson::dom::parser& p, const std::string& json) {
  simdjson::dom::element e;
  EXPECT_EQ(p.parse(json).get(e), simdjson::SUCCESS) << json;
  return e;
}

std::string_view field(simdjson::dom::element e, std::string_view pointer) {
  std::string_view s;
  EXPECT_EQ(e.at_pointer(pointer).get(s), simdjson::SUCCESS) << pointer;
  return s;
}

std::string replayed_stream(std::string_view stored, ReplayApi api) {
  ReplayOptions o;
  o.include_usage = true;
  o.delta_bytes = 8;  // many small deltas: the assembler must join them
  ReplayResult r = replay_sse(stored, api, api, o);
  EXPECT_TRUE(r.ok) << r.error;
  return r.body;
}

TEST(StreamAssembly, OpenAiStreamRoundTripsThroughTheReplay) {
  const std::string sse = replayed_stream(kOpenAi, ReplayApi::kOpenAiChat);
  AssembledAnswer a = assemble_openai_chat_stream(sse);
  ASSERT_TRUE(a.ok) << a.error;
  simdjson::dom::parser p;
  auto doc = parse(p, a.body);
  EXPECT_EQ(field(doc, "/object"), "chat.completion");
  EXPECT_EQ(field(doc, "/choices/0/message/content"),
            "Héllo wörld, this is a cached answer that is long enough to be cut in pieces.");
  EXPECT_EQ(field(doc, "/choices/0/message/tool_calls/0/id"), "call_1");
  EXPECT_EQ(field(doc, "/choices/0/message/tool_calls/0/function/arguments"),
            R"({"city":"Zürich","unit":"celsius"})");
  EXPECT_EQ(field(doc, "/choices/0/finish_reason"), "tool_calls");
  uint64_t tokens = 0;
  EXPECT_EQ(doc.at_pointer("/usage/total_tokens").get(tokens), simdjson::SUCCESS);
  EXPECT_EQ(tokens, 18u);
}

TEST(StreamAssembly, AnthropicStreamRoundTripsThroughTheReplay) {
  const std::string sse = replayed_stream(kAnthropic, ReplayApi::kAnthropicMessages);
  AssembledAnswer a = assemble_anthropic_message_stream(sse);
  ASSERT_TRUE(a.ok) << a.error;
  simdjson::dom::parser p;
  auto doc = parse(p, a.body);
  EXPECT_EQ(field(doc, "/type"), "message");
  EXPECT_EQ(field(doc, "/content/0/thinking"), "Let me think.");
  EXPECT_EQ(field(doc, "/content/0/signature"), "sig");
  EXPECT_EQ(field(doc, "/content/1/text"),
            "Héllo wörld, this is a cached answer that is long enough to cut.");
  EXPECT_EQ(field(doc, "/content/2/input/city"), "Zürich");
  EXPECT_EQ(field(doc, "/stop_reason"), "tool_use");
  uint64_t out = 0;
  EXPECT_EQ(doc.at_pointer("/usage/output_tokens").get(out), simdjson::SUCCESS);
  EXPECT_EQ(out, 7u);
  // The assembled answer replays again: the stored form is what the cache keeps.
  EXPECT_TRUE(replay_json(a.body, ReplayApi::kAnthropicMessages, ReplayApi::kOpenAiChat, {}).ok);
}

TEST(StreamAssembly, UpstreamShapedOpenAiChunksWithCarriageReturns) {
  const std::string sse =
      "data: {\"id\":\"c\",\"created\":5,\"model\":\"m\",\"choices\":[{\"index\":0,"
      "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\r\n\r\n"
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\r\n\r\n"
      ": keepalive\r\n\r\n"
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"
      "\r\n\r\ndata: [DONE]\r\n\r\n";
  AssembledAnswer a = assemble_openai_chat_stream(sse);
  ASSERT_TRUE(a.ok) << a.error;
  simdjson::dom::parser p;
  auto doc = parse(p, a.body);
  EXPECT_EQ(field(doc, "/choices/0/message/content"), "Hi");
  EXPECT_EQ(field(doc, "/model"), "m");
}

TEST(StreamAssembly, UnfinishedStreamsAreRefused) {
  const std::string full = replayed_stream(kOpenAi, ReplayApi::kOpenAiChat);
  const size_t finish = full.find("\"finish_reason\":\"tool_calls\"");
  ASSERT_NE(finish, std::string::npos);
  // Cut before the finish_reason chunk, and cut inside an event.
  EXPECT_FALSE(assemble_openai_chat_stream(full.substr(0, full.rfind("\n\n", finish) + 2)).ok);
  EXPECT_FALSE(assemble_openai_chat_stream(full.substr(0, finish)).ok);
  EXPECT_FALSE(assemble_openai_chat_stream("").ok);
  EXPECT_FALSE(assemble_openai_chat_stream("data: {\"error\":{\"message\":\"x\"}}\n\n").ok);
  // An event whose data field is empty (the fuzzer's "\ndata\n\n"): refused, and under UBSan the
  // empty view's null pointer never reaches the JSON parser.
  EXPECT_FALSE(assemble_openai_chat_stream("\ndata\n\n").ok);
  EXPECT_FALSE(assemble_anthropic_message_stream("\ndata\n\n").ok);

  const std::string anth = replayed_stream(kAnthropic, ReplayApi::kAnthropicMessages);
  const size_t stop = anth.find("event: message_stop");
  ASSERT_NE(stop, std::string::npos);
  EXPECT_FALSE(assemble_anthropic_message_stream(anth.substr(0, stop)).ok);
  std::string with_error = anth.substr(0, stop) +
                           "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
                           "\"overloaded_error\",\"message\":\"x\"}}\n\n" +
                           anth.substr(stop);
  EXPECT_FALSE(assemble_anthropic_message_stream(with_error).ok);
  EXPECT_FALSE(assemble_anthropic_message_stream("event: ping\ndata: {\"type\":\"ping\"}\n\n").ok);
}

TEST(StreamAssembly, BrokenToolInputAndHostileIndexesAreRefused) {
  const std::string bad_input =
      "data: "
      "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"x\",\"usage\":{}}}\n\n"
      "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":"
      "\"tool_use\",\"id\":\"t\",\"name\":\"f\",\"input\":{}}}\n\n"
      "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
      "\"input_json_delta\",\"partial_json\":\"{\\\"a\\\":\"}}\n\n"
      "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
      "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
      "\"usage\":{\"output_tokens\":1}}\n\n"
      "data: {\"type\":\"message_stop\"}\n\n";
  EXPECT_FALSE(assemble_anthropic_message_stream(bad_input).ok);
  EXPECT_FALSE(assemble_openai_chat_stream("data: {\"choices\":[{\"index\":99999999,\"delta\":{},"
                                           "\"finish_reason\":\"stop\"}]}\n\n")
                   .ok);
}

}  // namespace
}  // namespace ringgate::providers
