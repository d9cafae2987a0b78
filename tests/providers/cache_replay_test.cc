#include "providers/cache_replay.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "providers/anthropic_to_openai_stream.h"
#include "providers/openai_to_anthropic_stream.h"

namespace ringgate::providers {
namespace {

constexpr std::string_view kOpenAi = R"({"id":"chatcmpl-1","object":"chat.completion",
  "created":1700000000,"model":"gpt-4o-2024","choices":[{"index":0,"message":{"role":"assistant",
  "content":"Héllo wörld, this is a cached answer.","tool_calls":[{"id":"call_1","type":"function",
  "function":{"name":"get_weather","arguments":"{\"city\":\"Zürich\"}"}}]},
  "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":11,"completion_tokens":7,
  "total_tokens":18}})";

constexpr std::string_view kAnthropic = R"({"id":"msg_1","type":"message","role":"assistant",
  "model":"claude-x","content":[{"type":"thinking","thinking":"Let me think.","signature":"sig"},
  {"type":"text","text":"Héllo wörld, this is a cached answer."},{"type":"tool_use","id":"tu_1",
  "name":"get_weather","input":{"city":"Zürich"}}],"stop_reason":"tool_use","stop_sequence":null,
  "usage":{"input_tokens":11,"output_tokens":7}})";

struct SseEvent {
  std::string name, data;
};

std::vector<SseEvent> parse_sse(std::string_view sse) {
  std::vector<SseEvent> events;
  while (!sse.empty()) {
    const size_t end = sse.find("\n\n");
    EXPECT_NE(end, std::string_view::npos) << "unterminated frame";
    if (end == std::string_view::npos) break;
    std::string_view frame = sse.substr(0, end);
    sse.remove_prefix(end + 2);
    SseEvent e;
    while (!frame.empty()) {
      const size_t nl = frame.find('\n');
      std::string_view line = frame.substr(0, nl);
      if (line.starts_with("event: ")) e.name = line.substr(7);
      if (line.starts_with("data: ")) e.data = line.substr(6);
      frame = nl == std::string_view::npos ? "" : frame.substr(nl + 1);
    }
    events.push_back(e);
  }
  return events;
}

// What a client's stream helper reassembles from the stream.
struct Message {
  std::string text, thinking, tool_name, tool_id, tool_input, stop;
  int64_t output_tokens = -1;
  bool ended = false;
};

Message reassemble_openai(std::string_view sse) {
  Message m;
  simdjson::dom::parser parser;
  for (const auto& e : parse_sse(sse)) {
    if (e.data == "[DONE]") {
      m.ended = true;
      continue;
    }
    auto chunk = parser.parse(e.data);
    EXPECT_FALSE(chunk.error()) << e.data;
    EXPECT_EQ(std::string_view(chunk["object"]), "chat.completion.chunk");
    if (int64_t n; !chunk["usage"]["completion_tokens"].get_int64().get(n)) m.output_tokens = n;
    for (auto choice : chunk["choices"].get_array()) {
      auto delta = choice["delta"];
      if (std::string_view s; !delta["content"].get_string().get(s)) m.text += s;
      if (std::string_view s; !delta["reasoning_content"].get_string().get(s)) m.thinking += s;
      simdjson::dom::array calls;
      if (!delta["tool_calls"].get_array().get(calls)) {
        for (auto call : calls) {
          if (std::string_view s; !call["id"].get_string().get(s)) m.tool_id = s;
          if (std::string_view s; !call["function"]["name"].get_string().get(s)) m.tool_name = s;
          if (std::string_view s; !call["function"]["arguments"].get_string().get(s))
            m.tool_input += s;
        }
      }
      if (std::string_view s; !choice["finish_reason"].get_string().get(s)) m.stop = s;
    }
  }
  return m;
}

Message reassemble_anthropic(std::string_view sse) {
  Message m;
  simdjson::dom::parser parser;
  for (const auto& e : parse_sse(sse)) {
    auto event = parser.parse(e.data);
    EXPECT_FALSE(event.error()) << e.data;
    EXPECT_EQ(std::string_view(event["type"]), e.name);
    if (e.name == "message_stop") m.ended = true;
    if (e.name == "content_block_start") {
      auto block = event["content_block"];
      if (std::string_view s; !block["name"].get_string().get(s)) m.tool_name = s;
      if (std::string_view s; !block["id"].get_string().get(s)) m.tool_id = s;
    }
    if (e.name == "content_block_delta") {
      auto delta = event["delta"];
      if (std::string_view s; !delta["text"].get_string().get(s)) m.text += s;
      if (std::string_view s; !delta["thinking"].get_string().get(s)) m.thinking += s;
      if (std::string_view s; !delta["partial_json"].get_string().get(s)) m.tool_input += s;
    }
    if (e.name == "message_delta") {
      m.stop = std::string_view(event["delta"]["stop_reason"]);
      m.output_tokens = int64_t(event["usage"]["output_tokens"]);
    }
  }
  return m;
}

ReplayOptions options(size_t delta_bytes = 8) {
  ReplayOptions o;
  o.created = 1700000001;
  o.include_usage = true;
  o.delta_bytes = delta_bytes;
  return o;
}

TEST(CacheReplay, OpenAiStreamReassemblesTheStoredAnswer) {
  auto r = replay_sse(kOpenAi, ReplayApi::kOpenAiChat, ReplayApi::kOpenAiChat, options());
  ASSERT_TRUE(r.ok) << r.error;
  auto m = reassemble_openai(r.body);
  EXPECT_EQ(m.text, "Héllo wörld, this is a cached answer.");
  EXPECT_EQ(m.tool_name, "get_weather");
  EXPECT_EQ(m.tool_id, "call_1");
  EXPECT_EQ(m.tool_input, R"({"city":"Zürich"})");
  EXPECT_EQ(m.stop, "tool_calls");
  EXPECT_EQ(m.output_tokens, 7);
  EXPECT_TRUE(m.ended);
  EXPECT_TRUE(r.body.ends_with("data: [DONE]\n\n"));
  EXPECT_GT(parse_sse(r.body).size(), 8u);  // cut into several deltas
}

TEST(CacheReplay, AnthropicStreamReassemblesTheStoredAnswer) {
  auto r = replay_sse(kAnthropic, ReplayApi::kAnthropicMessages, ReplayApi::kAnthropicMessages,
                      options());
  ASSERT_TRUE(r.ok) << r.error;
  auto m = reassemble_anthropic(r.body);
  EXPECT_EQ(m.text, "Héllo wörld, this is a cached answer.");
  EXPECT_EQ(m.thinking, "Let me think.");
  EXPECT_EQ(m.tool_name, "get_weather");
  EXPECT_EQ(m.tool_input, R"({"city":"Zürich"})");
  EXPECT_EQ(m.stop, "tool_use");
  EXPECT_EQ(m.output_tokens, 7);
  EXPECT_TRUE(m.ended);
  const auto events = parse_sse(r.body);
  EXPECT_EQ(events.front().name, "message_start");
  EXPECT_EQ(events.back().name, "message_stop");
}

TEST(CacheReplay, CrossFormatStreams) {
  auto to_openai =
      replay_sse(kAnthropic, ReplayApi::kAnthropicMessages, ReplayApi::kOpenAiChat, options());
  ASSERT_TRUE(to_openai.ok) << to_openai.error;
  auto m = reassemble_openai(to_openai.body);
  EXPECT_EQ(m.text, "Héllo wörld, this is a cached answer.");
  EXPECT_EQ(m.tool_name, "get_weather");
  EXPECT_EQ(m.stop, "tool_calls");
  EXPECT_TRUE(m.ended);

  auto to_anthropic =
      replay_sse(kOpenAi, ReplayApi::kOpenAiChat, ReplayApi::kAnthropicMessages, options());
  ASSERT_TRUE(to_anthropic.ok) << to_anthropic.error;
  m = reassemble_anthropic(to_anthropic.body);
  EXPECT_EQ(m.text, "Héllo wörld, this is a cached answer.");
  EXPECT_EQ(m.tool_input, R"({"city":"Zürich"})");
  EXPECT_EQ(m.stop, "tool_use");
  EXPECT_EQ(m.output_tokens, 7);
}

// The replayed streams are accepted by the gateway's own stream translators as complete.
TEST(CacheReplay, StreamTranslatorsAcceptTheReplay) {
  auto anthropic = replay_sse(kAnthropic, ReplayApi::kAnthropicMessages,
                              ReplayApi::kAnthropicMessages, options());
  AnthropicToOpenAiStream to_openai(StreamOptions{.include_usage = true});
  std::string openai;
  for (const auto& e : parse_sse(anthropic.body)) to_openai.on_event(e.name, e.data, openai);
  to_openai.finish(openai);
  EXPECT_EQ(openai.find("error"), std::string::npos) << openai;
  auto m = reassemble_openai(openai);
  EXPECT_EQ(m.text, "Héllo wörld, this is a cached answer.");
  EXPECT_EQ(m.tool_input, R"({"city":"Zürich"})");

  auto chunks = replay_sse(kOpenAi, ReplayApi::kOpenAiChat, ReplayApi::kOpenAiChat, options());
  OpenAiToAnthropicStream to_anthropic(StreamOptions{});
  std::string events;
  for (const auto& e : parse_sse(chunks.body)) to_anthropic.on_event(e.name, e.data, events);
  to_anthropic.finish(events);
  m = reassemble_anthropic(events);
  EXPECT_TRUE(m.ended) << events;
  EXPECT_EQ(m.text, "Héllo wörld, this is a cached answer.");
  EXPECT_EQ(m.stop, "tool_use");
}

TEST(CacheReplay, JsonInTheClientsApi) {
  auto same = replay_json(kOpenAi, ReplayApi::kOpenAiChat, ReplayApi::kOpenAiChat, {});
  ASSERT_TRUE(same.ok);
  EXPECT_EQ(same.body, kOpenAi);
  ReplayOptions named;
  named.model = "my-alias";
  auto renamed = replay_json(kOpenAi, ReplayApi::kOpenAiChat, ReplayApi::kOpenAiChat, named);
  ASSERT_TRUE(renamed.ok);
  EXPECT_NE(renamed.body.find(R"("model":"my-alias")"), std::string::npos);

  auto translated =
      replay_json(kAnthropic, ReplayApi::kAnthropicMessages, ReplayApi::kOpenAiChat, options());
  ASSERT_TRUE(translated.ok) << translated.error;
  simdjson::dom::parser parser;
  auto doc = parser.parse(translated.body);
  ASSERT_FALSE(doc.error());
  EXPECT_EQ(std::string_view(doc["choices"].at(0)["finish_reason"]), "tool_calls");
}

TEST(CacheReplay, GoldenOpenAiStream) {
  constexpr std::string_view kStored = R"({"id":"c","model":"m","choices":[{"index":0,
    "message":{"role":"assistant","content":"abcdefghij"},"finish_reason":"stop"}]})";
  ReplayOptions o = options(6);
  o.include_usage = false;
  auto r = replay_sse(kStored, ReplayApi::kOpenAiChat, ReplayApi::kOpenAiChat, o);
  ASSERT_TRUE(r.ok);
  const std::string head =
      R"(data: {"id":"c","object":"chat.completion.chunk","created":1700000001,"model":"m","choices":[{"index":0,"delta":)";
  const std::string tail = R"(,"logprobs":null,"finish_reason":)";
  EXPECT_EQ(r.body, head + R"({"role":"assistant"})" + tail + "null}]}\n\n" + head +
                        R"({"content":"abcdef"})" + tail + "null}]}\n\n" + head +
                        R"({"content":"ghij"})" + tail + "null}]}\n\n" + head + "{}" + tail +
                        R"("stop"}]})" + "\n\ndata: [DONE]\n\n");
}

TEST(CacheReplay, GoldenAnthropicStream) {
  constexpr std::string_view kStored = R"({"id":"msg","model":"m","content":[{"type":"text",
    "text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}})";
  auto r =
      replay_sse(kStored, ReplayApi::kAnthropicMessages, ReplayApi::kAnthropicMessages, options());
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(
      r.body,
      "event: message_start\ndata: "
      R"({"type":"message_start","message":{"id":"msg","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":0}}})"
      "\n\nevent: content_block_start\ndata: "
      R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"
      "\n\nevent: content_block_delta\ndata: "
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}})"
      "\n\nevent: content_block_stop\ndata: "
      R"({"type":"content_block_stop","index":0})"
      "\n\nevent: message_delta\ndata: "
      R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":3,"output_tokens":1}})"
      "\n\nevent: message_stop\ndata: "
      R"({"type":"message_stop"})"
      "\n\n");
}

TEST(CacheReplay, Utf8IsNeverCut) {
  const std::string text = "日本語のテキスト🙂é";
  const std::string stored = R"({"id":"c","model":"m","choices":[{"message":{"content":")" + text +
                             R"("},"finish_reason":"stop"}]})";
  for (size_t size : {1, 4, 5, 7}) {
    auto r = replay_sse(stored, ReplayApi::kOpenAiChat, ReplayApi::kOpenAiChat, options(size));
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(reassemble_openai(r.body).text, text);  // every piece parsed as valid UTF-8
  }
}

TEST(CacheReplay, WrongShapesFail) {
  for (std::string_view bad : {"", "not json", "[]", R"({"choices":3})", R"({"content":{}})"}) {
    EXPECT_FALSE(replay_sse(bad, ReplayApi::kOpenAiChat, ReplayApi::kOpenAiChat, {}).ok) << bad;
    EXPECT_FALSE(
        replay_sse(bad, ReplayApi::kAnthropicMessages, ReplayApi::kAnthropicMessages, {}).ok)
        << bad;
    EXPECT_FALSE(replay_json(bad, ReplayApi::kAnthropicMessages, ReplayApi::kOpenAiChat, {}).ok)
        << bad;
  }
}

}  // namespace
}  // namespace ringgate::providers
