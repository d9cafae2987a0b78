// Anthropic message / chat.completion -> Responses object, the envelope writer, and round trips
// through the request translator.
#include "providers/responses_response_translator.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "providers/responses_object.h"
#include "providers/responses_request_translator.h"
#include "tests/providers/translation_test_support.h"

namespace ringgate::providers {
namespace {

using simdjson::dom::element;

using testing::Parsed;

ResponseOptions options() {
  ResponseOptions o;
  o.id = "resp_req1";
  o.created = 1700000000;
  return o;
}

TEST(ResponsesObject, DefaultsFillWhatTheEchoDoesNotSet) {
  std::string out;
  JsonWriter w(out);
  ResponsesEnvelope e;
  e.id = "resp_x";
  e.created_at = 5;
  e.status = "in_progress";
  e.model = "m";
  e.echo = R"("tool_choice":"required","store":false,"instructions":"I")";
  write_responses_object(w, e);
  Parsed p(out);
  EXPECT_EQ(p.str("/object"), "response");
  EXPECT_EQ(p.str("/tool_choice"), "required");
  EXPECT_FALSE(bool(p["/store"]));
  EXPECT_EQ(p.str("/instructions"), "I");
  EXPECT_EQ(p.json("/tools"), "[]");
  EXPECT_TRUE(bool(p["/parallel_tool_calls"]));
  EXPECT_EQ(p.json("/reasoning"), R"({"effort":null,"summary":null})");
  EXPECT_EQ(p.json("/output"), "[]");
  EXPECT_TRUE(p["/usage"].is_null());
  EXPECT_TRUE(p["/incomplete_details"].is_null());
  // No member twice.
  EXPECT_EQ(out.find("\"tool_choice\""), out.rfind("\"tool_choice\""));
  EXPECT_EQ(out.find("\"store\""), out.rfind("\"store\""));
}

TEST(ResponsesObject, ItemIdsAreDeterministic) {
  EXPECT_EQ(responses_item_id("msg", "resp_abc", 2), "msg_abc_2");
  EXPECT_EQ(responses_item_id("fc", "abc", 0), "fc_abc_0");
  EXPECT_TRUE(is_custom_tool("a,apply_patch,b", "apply_patch"));
  EXPECT_FALSE(is_custom_tool("apply_patch", "apply"));
  EXPECT_FALSE(is_custom_tool("", ""));
}

TEST(AnthropicToResponses, TextThinkingAndToolCallsBecomeOutputItemsInOrder) {
  ResponseOptions o = options();
  o.custom_tools = "apply_patch";
  o.responses_echo = R"("tools":[{"type":"function","name":"shell"}])";
  auto r = anthropic_response_to_responses(
      R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[
        {"type":"thinking","thinking":"Hmm.","signature":"SIG"},
        {"type":"redacted_thinking","data":"OPAQUE"},
        {"type":"text","text":"Hello "},{"type":"text","text":"world"},
        {"type":"tool_use","id":"toolu_1","name":"shell","input":{"cmd":["ls"]}},
        {"type":"tool_use","id":"toolu_2","name":"apply_patch","input":{"input":"*** Begin"}}],
        "stop_reason":"tool_use","usage":{"input_tokens":10,"cache_read_input_tokens":5,
        "cache_creation_input_tokens":2,"output_tokens":7}})",
      o);
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(p.str("/id"), "resp_req1");
  EXPECT_EQ(p.str("/status"), "completed");
  EXPECT_EQ(p.str("/model"), "claude-x");
  EXPECT_EQ(int64_t(p["/created_at"]), 1700000000);
  EXPECT_EQ(p.str("/tools/0/name"), "shell");
  EXPECT_EQ(p.json("/output/0"),
            R"({"id":"rs_req1_0","type":"reasoning","summary":[{"type":"summary_text",)"
            R"("text":"Hmm."}],"encrypted_content":"SIG"})");
  EXPECT_EQ(p.json("/output/1"), R"({"id":"rs_req1_1","type":"reasoning","summary":[],)"
                                 R"("encrypted_content":"redacted:OPAQUE"})");
  EXPECT_EQ(p.str("/output/2/type"), "message");
  EXPECT_EQ(p.str("/output/2/id"), "msg_req1_2");
  EXPECT_EQ(p.str("/output/2/content/0/text"), "Hello world");
  EXPECT_EQ(p.json("/output/3"),
            R"({"id":"fc_req1_3","type":"function_call","status":"completed",)"
            R"("call_id":"toolu_1","name":"shell","arguments":"{\"cmd\":[\"ls\"]}"})");
  EXPECT_EQ(p.json("/output/4"),
            R"({"id":"ctc_req1_4","type":"custom_tool_call","status":"completed",)"
            R"("call_id":"toolu_2","name":"apply_patch","input":"*** Begin"})");
  EXPECT_EQ(p.json("/usage"),
            R"({"input_tokens":17,"input_tokens_details":{"cached_tokens":5},"output_tokens":7,)"
            R"("output_tokens_details":{"reasoning_tokens":0},"total_tokens":24})");
  EXPECT_EQ(r.usage.prompt_tokens, 17);
  EXPECT_EQ(r.usage.cached_tokens, 5);
  EXPECT_EQ(Parsed(r.output_items).json(""), p.json("/output"));
}

TEST(AnthropicToResponses, StopReasonsMapToStatus) {
  const std::tuple<const char*, const char*, const char*> cases[] = {
      {"end_turn", "completed", ""},
      {"stop_sequence", "completed", ""},
      {"pause_turn", "completed", ""},
      {"tool_use", "completed", ""},
      {"max_tokens", "incomplete", "max_output_tokens"},
      {"refusal", "incomplete", "content_filter"},
  };
  for (const auto& [stop, status, reason] : cases) {
    SCOPED_TRACE(stop);
    auto r = anthropic_response_to_responses(
        std::string(R"({"type":"message","content":[{"type":"text","text":"x"}],"stop_reason":")") +
            stop + R"("})",
        options());
    ASSERT_TRUE(r.ok);
    Parsed p(r.body);
    EXPECT_EQ(p.str("/status"), status);
    EXPECT_EQ(p.str("/output/0/status"), status);  // the message cut short is incomplete too
    if (*reason) {
      EXPECT_EQ(p.str("/incomplete_details/reason"), reason);
    } else {
      EXPECT_TRUE(p["/incomplete_details"].is_null());
    }
  }
}

TEST(AnthropicToResponses, TheResponseFormatToolBecomesTheAnswerText) {
  ResponseOptions o = options();
  o.response_format_tool = "answer";
  auto r = anthropic_response_to_responses(
      R"({"type":"message","content":[{"type":"tool_use","id":"t","name":"answer",
        "input":{"a":1}}],"stop_reason":"tool_use"})",
      o);
  ASSERT_TRUE(r.ok);
  Parsed p(r.body);
  EXPECT_EQ(p.str("/output/0/content/0/text"), R"({"a":1})");
  EXPECT_FALSE(p.has("/output/1"));
}

TEST(AnthropicToResponses, UnexpectedShapesAre502) {
  for (const char* body :
       {"", "nope", "[]", R"({"type":"error"})", R"({"type":"message","content":{}})",
        R"({"type":"message","content":[1]})"}) {
    auto r = anthropic_response_to_responses(body, options());
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.status, 502);
  }
}

TEST(ChatToResponses, ContentReasoningRefusalAndCalls) {
  ResponseOptions o = options();
  o.custom_tools = "apply_patch";
  auto r = chat_response_to_responses(
      R"({"id":"chatcmpl-1","object":"chat.completion","model":"qwen","choices":[{"index":0,
        "message":{"role":"assistant","reasoning_content":"think","content":"Hi",
        "tool_calls":[{"id":"call_1","type":"function","function":{"name":"shell",
        "arguments":"{\"cmd\":\"ls\"}"}},{"id":"call_2","type":"function","function":{
        "name":"apply_patch","arguments":"{\"input\":\"P\"}"}},{"id":"call_3","type":"function",
        "function":{"name":"noargs","arguments":""}}]},"finish_reason":"tool_calls"}],
        "usage":{"prompt_tokens":20,"completion_tokens":9,"prompt_tokens_details":{
        "cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":3}}})",
      o);
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(p.str("/status"), "completed");
  EXPECT_EQ(p.json("/output/0"),
            R"({"id":"rs_req1_0","type":"reasoning","summary":[{"type":"summary_text",)"
            R"("text":"think"}]})");
  EXPECT_EQ(p.str("/output/1/content/0/text"), "Hi");
  EXPECT_EQ(p.str("/output/2/arguments"), R"({"cmd":"ls"})");
  EXPECT_EQ(p.str("/output/3/type"), "custom_tool_call");
  EXPECT_EQ(p.str("/output/3/input"), "P");
  EXPECT_EQ(p.str("/output/4/arguments"), "{}");
  EXPECT_EQ(p.json("/usage"),
            R"({"input_tokens":20,"input_tokens_details":{"cached_tokens":4},"output_tokens":9,)"
            R"("output_tokens_details":{"reasoning_tokens":3},"total_tokens":29})");

  r = chat_response_to_responses(
      R"({"id":"c","choices":[{"message":{"role":"assistant","content":null,
        "refusal":"I can't"},"finish_reason":"content_filter"}]})",
      o);
  ASSERT_TRUE(r.ok);
  Parsed q(r.body);
  EXPECT_EQ(q.json("/output/0/content/0"), R"({"type":"refusal","refusal":"I can't"})");
  EXPECT_EQ(q.str("/status"), "incomplete");
  EXPECT_EQ(q.str("/incomplete_details/reason"), "content_filter");
  r = chat_response_to_responses(
      R"({"id":"c","choices":[{"message":{"content":"x"},"finish_reason":"length"}]})", o);
  EXPECT_EQ(Parsed(r.body).str("/incomplete_details/reason"), "max_output_tokens");
}

TEST(ChatToResponses, UnexpectedShapesAre502) {
  for (const char* body : {"", "{", R"({"choices":[]})", R"({"choices":[{"message":1}]})",
                           R"({"choices":[{"message":{"tool_calls":[{"id":"x"}]}}]})"}) {
    auto r = chat_response_to_responses(body, options());
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.status, 502);
  }
}

// Property: a chat response -> Responses object keeps text, tool calls and usage; the output
// items fed back as input (the next turn) become the same chat messages.
TEST(ResponsesResponseProperty, ChatResponseRoundTripKeepsTextCallsAndUsage) {
  std::mt19937 rng(3);
  for (int round = 0; round < 200; ++round) {
    const int calls = int(rng() % 4);
    const bool has_text = calls == 0 || rng() % 2;
    const std::string text = "answer " + std::to_string(rng() % 1000);
    std::string tool_calls;
    for (int i = 0; i < calls; ++i) {
      if (i > 0) tool_calls += ',';
      tool_calls += R"({"id":"call_)" + std::to_string(i) +
                    R"(","type":"function","function":{"name":"f)" + std::to_string(i) +
                    R"(","arguments":"{\"n\":)" + std::to_string(i) + R"(}"}})";
    }
    const int64_t prompt = rng() % 5000, completion = rng() % 500;
    const std::string body =
        R"({"id":"c","model":"m","choices":[{"message":{"role":"assistant","content":)" +
        (has_text ? "\"" + text + "\"" : std::string("null")) +
        (calls ? R"(,"tool_calls":[)" + tool_calls + "]" : std::string()) +
        R"(},"finish_reason":"stop"}],"usage":{"prompt_tokens":)" + std::to_string(prompt) +
        R"(,"completion_tokens":)" + std::to_string(completion) + "}}";
    auto r = chat_response_to_responses(body, options());
    ASSERT_TRUE(r.ok) << body;
    Parsed p(r.body);
    EXPECT_EQ(int64_t(p["/usage/input_tokens"]), prompt);
    EXPECT_EQ(int64_t(p["/usage/output_tokens"]), completion);
    // Next turn: the output items as input, translated back to chat.
    auto next = responses_to_openai_chat(R"({"model":"m","input":)" + r.output_items + "}",
                                         TranslateOptions{});
    ASSERT_TRUE(next.ok) << next.error_message << r.output_items;
    Parsed n(next.body);
    EXPECT_FALSE(n.has("/messages/1")) << next.body;
    if (has_text) {
      EXPECT_EQ(n.str("/messages/0/content"), text);
    } else {
      EXPECT_TRUE(n["/messages/0/content"].is_null());
    }
    for (int i = 0; i < calls; ++i) {
      const std::string at = "/messages/0/tool_calls/" + std::to_string(i);
      EXPECT_EQ(n.str(at + "/id"), "call_" + std::to_string(i));
      EXPECT_EQ(n.str(at + "/function/name"), "f" + std::to_string(i));
      EXPECT_EQ(n.str(at + "/function/arguments"), "{\"n\":" + std::to_string(i) + "}");
    }
    EXPECT_EQ(n.has("/messages/0/tool_calls/" + std::to_string(calls)), false);
  }
}

// The Anthropic answer's thinking (with signature), text and calls come back as the same blocks
// when the output items are sent as the next turn's input.
TEST(ResponsesResponseProperty, AnthropicOutputItemsTranslateBackToTheSameBlocks) {
  ResponseOptions o = options();
  o.custom_tools = "apply_patch";
  const std::string content =
      R"([{"type":"thinking","thinking":"Plan.","signature":"SIG=="},)"
      R"({"type":"redacted_thinking","data":"XYZ"},{"type":"text","text":"Doing it."},)"
      R"({"type":"tool_use","id":"toolu_1","name":"shell","input":{"cmd":["ls","-l"]}},)"
      R"({"type":"tool_use","id":"toolu_2","name":"apply_patch","input":{"input":"*** P"}}])";
  auto r = anthropic_response_to_responses(
      R"({"type":"message","content":)" + content + R"(,"stop_reason":"tool_use"})", o);
  ASSERT_TRUE(r.ok);
  TranslateOptions t;
  t.default_max_tokens = 100;
  t.prior_items = r.output_items;
  auto next = responses_to_anthropic(R"({"model":"m","input":"go"})", t);
  ASSERT_TRUE(next.ok) << next.error_message;
  Parsed n(next.body);
  EXPECT_EQ(n.str("/messages/0/role"), "assistant");
  EXPECT_EQ(n.json("/messages/0/content"), Parsed(content).json(""));
  EXPECT_EQ(n.str("/messages/1/content/0/text"), "go");
}

TEST(AnthropicToResponses, CallsOfNamespaceMembersComeBackWithTheirNamespace) {
  ResponseOptions o = options();
  o.namespaced_tools = "agents.spawn,ag.ents__x";
  auto r = anthropic_response_to_responses(
      R"({"id":"msg_1","type":"message","role":"assistant","model":"c","content":[
        {"type":"tool_use","id":"t1","name":"agents__spawn","input":{}},
        {"type":"tool_use","id":"t2","name":"shell","input":{}},
        {"type":"tool_use","id":"t3","name":"agents__other","input":{}}],
        "stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}})",
      o);
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(p.str("/output/0/name"), "spawn");
  EXPECT_EQ(p.str("/output/0/namespace"), "agents");
  EXPECT_EQ(p.str("/output/1/name"), "shell");
  EXPECT_FALSE(p.has("/output/1/namespace"));
  EXPECT_EQ(p.str("/output/2/name"), "agents__other");  // not a listed member: as it came
  EXPECT_FALSE(p.has("/output/2/namespace"));
}

}  // namespace
}  // namespace ringgate::providers
