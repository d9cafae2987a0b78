// Responses request -> Anthropic Messages / chat completions: one test per mapping rule and
// refusal, and a property test that the Anthropic request keeps every message, call and result.
#include "providers/responses_request_translator.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/providers/translation_test_support.h"

namespace ringgate::providers {
namespace {

using simdjson::dom::element;

TranslateOptions options(int64_t default_max_tokens = 4096) {
  TranslateOptions o;
  o.default_max_tokens = default_max_tokens;
  return o;
}

std::string text_of(element e) {
  std::string_view s;
  return e.get_string().get(s) ? std::string() : std::string(s);
}

using testing::Parsed;

TranslateResult to_anthropic(std::string_view body, const TranslateOptions& o = options()) {
  return responses_to_anthropic(body, o);
}
TranslateResult to_chat(std::string_view body, const TranslateOptions& o = options()) {
  return responses_to_openai_chat(body, o);
}

TEST(ResponsesToAnthropic, StringInputIsOneUserMessage) {
  auto r = to_anthropic(R"({"model":"claude","input":"hi","instructions":"be brief"})");
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(p.str("/system"), "be brief");
  EXPECT_EQ(p.json("/messages"), R"([{"role":"user","content":[{"type":"text","text":"hi"}]}])");
  EXPECT_EQ(int64_t(p["/max_tokens"]), 4096);
  EXPECT_EQ(r.client_model, "claude");
  EXPECT_EQ(r.conversation_items,
            R"([{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}])");
}

TEST(ResponsesToAnthropic, InstructionsFirstThenSystemAndDeveloperMessagesInOrder) {
  auto r = to_anthropic(R"({"model":"m","instructions":"I","input":[
    {"role":"developer","content":"D"},{"role":"user","content":"u"},
    {"type":"message","role":"system","content":[{"type":"input_text","text":"S"}]}]})");
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(
      p.json("/system"),
      R"([{"type":"text","text":"I"},{"type":"text","text":"D"},{"type":"text","text":"S"}])");
  EXPECT_EQ(p.json("/messages"), R"([{"role":"user","content":[{"type":"text","text":"u"}]}])");
}

TEST(ResponsesToAnthropic, ConsecutiveSameRoleTurnsMerge) {
  auto r = to_anthropic(R"({"model":"m","input":[{"role":"user","content":"a"},
    {"role":"user","content":[{"type":"input_text","text":"b"},
      {"type":"input_image","image_url":"data:image/png;base64,QUJD"},
      {"type":"input_image","image_url":"https://x.test/i.png","detail":"low"}]},
    {"role":"assistant","content":[{"type":"output_text","text":"c"}]},
    {"role":"assistant","content":"d"}]})");
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(p.json("/messages/0/content"),
            R"([{"type":"text","text":"a"},{"type":"text","text":"b"},)"
            R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"QUJD"}},)"
            R"({"type":"image","source":{"type":"url","url":"https://x.test/i.png"}}])");
  EXPECT_EQ(
      p.json("/messages/1"),
      R"({"role":"assistant","content":[{"type":"text","text":"c"},{"type":"text","text":"d"}]})");
  EXPECT_FALSE(p.has("/messages/2"));
}

TEST(ResponsesToAnthropic, CallsAndOutputsBecomeToolUseAndToolResultTurns) {
  auto r = to_anthropic(R"({"model":"m","input":[{"role":"user","content":"go"},
    {"type":"function_call","call_id":"c1","name":"shell","arguments":"{\"cmd\":[\"ls\"]}"},
    {"type":"function_call","call_id":"c2","name":"shell","arguments":""},
    {"type":"custom_tool_call","call_id":"c3","name":"apply_patch","input":"*** Begin Patch"},
    {"type":"function_call_output","call_id":"c1","output":"a.txt"},
    {"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"x"},
      {"type":"input_image","image_url":"data:image/jpeg;base64,AA=="}]},
    {"type":"custom_tool_call_output","call_id":"c3","output":"Done"}]})");
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(
      p.json("/messages/1"),
      R"({"role":"assistant","content":[)"
      R"({"type":"tool_use","id":"c1","name":"shell","input":{"cmd":["ls"]}},)"
      R"({"type":"tool_use","id":"c2","name":"shell","input":{}},)"
      R"({"type":"tool_use","id":"c3","name":"apply_patch","input":{"input":"*** Begin Patch"}}]})");
  EXPECT_EQ(
      p.json("/messages/2"),
      R"({"role":"user","content":[)"
      R"({"type":"tool_result","tool_use_id":"c1","content":"a.txt"},)"
      R"({"type":"tool_result","tool_use_id":"c2","content":[{"type":"text","text":"x"},)"
      R"({"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AA=="}}]},)"
      R"({"type":"tool_result","tool_use_id":"c3","content":"Done"}]})");
}

TEST(ResponsesToAnthropic, InvalidArgumentsAreRefusedNamingTheItem) {
  auto r = to_anthropic(R"({"model":"m","input":[{"role":"user","content":"go"},
    {"type":"function_call","call_id":"c1","name":"f","arguments":"{not json"}]})");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_param, "input[1].arguments");
  r = to_anthropic(R"({"model":"m","input":[{"type":"function_call","call_id":"c1","name":"f",
    "arguments":"[1]"}]})");
  EXPECT_FALSE(r.ok);
}

TEST(ResponsesToAnthropic, ReasoningWithSignatureBecomesThinkingFirstInTheNextAssistantTurn) {
  auto r = to_anthropic(R"({"model":"m","input":[{"role":"user","content":"q"},
    {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"think A"},
      {"type":"summary_text","text":"think B"}],"encrypted_content":"SIG"},
    {"type":"reasoning","summary":[],"encrypted_content":"redacted:OPAQUE"},
    {"type":"reasoning","summary":[{"type":"summary_text","text":"no signature"}]},
    {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"}]})");
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(p.json("/messages/1/content"),
            R"([{"type":"thinking","thinking":"think A\n\nthink B","signature":"SIG"},)"
            R"({"type":"redacted_thinking","data":"OPAQUE"},)"
            R"({"type":"tool_use","id":"c1","name":"f","input":{}}])");
  EXPECT_EQ(r.dropped_fields, "");
}

TEST(ResponsesToAnthropic, PriorItemsArePrependedAndKeptForTheStore) {
  TranslateOptions o = options();
  const std::string prior =
      R"([{"type":"message","role":"user","content":"first"},)"
      R"({"id":"msg_1","type":"message","status":"completed","role":"assistant",)"
      R"("content":[{"type":"output_text","text":"answer","annotations":[],"logprobs":[]}]}])";
  o.prior_items = prior;
  auto r = to_anthropic(R"({"model":"m","previous_response_id":"resp_1","input":"second"})", o);
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(p.json("/messages"),
            R"([{"role":"user","content":[{"type":"text","text":"first"}]},)"
            R"({"role":"assistant","content":[{"type":"text","text":"answer"}]},)"
            R"({"role":"user","content":[{"type":"text","text":"second"}]}])");
  EXPECT_FALSE(p.has("/previous_response_id"));
  Parsed items(r.conversation_items);
  EXPECT_EQ(items.str("/0/content"), "first");
  EXPECT_EQ(items.str("/1/id"), "msg_1");
  EXPECT_EQ(items.str("/2/content/0/text"), "second");
  EXPECT_FALSE(items.has("/3"));
  EXPECT_NE(r.responses_echo.find(R"("previous_response_id":"resp_1")"), std::string::npos);
}

TEST(ResponsesToAnthropic, BadPriorItemsAreAServerError) {
  TranslateOptions o = options();
  o.prior_items = "{";
  auto r = to_anthropic(R"({"model":"m","input":"x"})", o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status, 500);
  o.prior_items = R"([{"type":"item_reference","id":"x"}])";
  r = to_anthropic(R"({"model":"m","input":"x"})", o);
  EXPECT_EQ(r.error_param, "previous_response_id[0].type");
}

TEST(ResponsesToAnthropic, FunctionAndCustomTools) {
  auto r = to_anthropic(R"({"model":"m","input":"x","tools":[
    {"type":"function","name":"shell","description":"Run","parameters":{"type":"object",
      "properties":{"cmd":{"type":"string"}}},"strict":true},
    {"type":"function","name":"noargs"},
    {"type":"custom","name":"apply_patch","description":"Edit files",
     "format":{"type":"grammar","syntax":"lark","definition":"start: \"x\""}}],
    "tool_choice":{"type":"custom","name":"apply_patch"},"parallel_tool_calls":false})");
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(p.json("/tools/0"),
            R"({"name":"shell","description":"Run","input_schema":{"type":"object",)"
            R"("properties":{"cmd":{"type":"string"}}}})");
  EXPECT_EQ(p.json("/tools/1"), R"({"name":"noargs","input_schema":{"type":"object"}})");
  EXPECT_EQ(p.str("/tools/2/name"), "apply_patch");
  EXPECT_NE(p.str("/tools/2/description").find("Edit files"), std::string::npos);
  EXPECT_NE(p.str("/tools/2/description").find("lark grammar:\nstart: \"x\""), std::string::npos);
  EXPECT_EQ(p.json("/tools/2/input_schema/required"), R"(["input"])");
  EXPECT_EQ(p.json("/tool_choice"),
            R"({"type":"tool","name":"apply_patch","disable_parallel_tool_use":true})");
  EXPECT_EQ(r.custom_tools, "apply_patch");
}

TEST(ResponsesToAnthropic, HostedToolsAreRefusedWhateverThePolicy) {
  for (const char* type :
       {"web_search", "web_search_preview_2025_03_11", "file_search", "code_interpreter",
        "computer_use_preview", "image_generation", "mcp", "local_shell", "something_new"}) {
    SCOPED_TRACE(type);
    const std::string body =
        std::string(R"({"model":"m","input":"x","tools":[{"type":")") + type + R"("}]})";
    for (auto r : {to_anthropic(body), to_chat(body)}) {
      EXPECT_FALSE(r.ok);
      EXPECT_EQ(r.status, 400);
      EXPECT_EQ(r.error_param, "tools");
      EXPECT_NE(r.error_message.find(std::string("unsupported tool type \"") + type + "\""),
                std::string::npos)
          << r.error_message;
    }
  }
}

TEST(ResponsesToAnthropic, ToolChoiceVariants) {
  const std::string tools = R"("tools":[{"type":"function","name":"f"}])";
  const std::pair<const char*, const char*> cases[] = {
      {R"("auto")", R"({"type":"auto"})"},
      {R"("none")", R"({"type":"none"})"},
      {R"("required")", R"({"type":"any"})"},
      {R"({"type":"function","name":"f"})", R"({"type":"tool","name":"f"})"},
  };
  for (const auto& [choice, expected] : cases) {
    auto r =
        to_anthropic(R"({"model":"m","input":"x",)" + tools + R"(,"tool_choice":)" + choice + "}");
    ASSERT_TRUE(r.ok) << r.error_message;
    EXPECT_EQ(Parsed(r.body).json("/tool_choice"), expected);
  }
  auto r = to_anthropic(R"({"model":"m","input":"x","tool_choice":"required"})");
  EXPECT_EQ(r.error_param, "tool_choice");
  r = to_anthropic(R"({"model":"m","input":"x",)" + tools +
                   R"(,"tool_choice":{"type":"allowed_tools","tools":[]}})");
  EXPECT_EQ(r.error_param, "tool_choice");
}

TEST(ResponsesToAnthropic, SamplingUserStreamAndMaxTokens) {
  auto r = to_anthropic(R"({"model":"m","input":"x","max_output_tokens":300,"temperature":0.5,
    "top_p":0.9,"user":"u1","stream":true,"store":false})");
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(int64_t(p["/max_tokens"]), 300);
  EXPECT_EQ(double(p["/temperature"]), 0.5);
  EXPECT_EQ(double(p["/top_p"]), 0.9);
  EXPECT_EQ(p.str("/metadata/user_id"), "u1");
  EXPECT_TRUE(bool(p["/stream"]));
  EXPECT_FALSE(p.has("/store"));
  EXPECT_TRUE(r.stream);
  EXPECT_FALSE(r.store);
  EXPECT_FALSE(to_anthropic(R"({"model":"m","input":"x","max_output_tokens":0})").ok);
  EXPECT_FALSE(to_anthropic(R"({"model":"m","input":"x"})", options(0)).ok);
  EXPECT_EQ(to_anthropic(R"({"model":"m","input":"x","temperature":1.5})").error_param,
            "temperature");
}

TEST(ResponsesToAnthropic, ReasoningEffortBecomesThinkingForAReasoningModel) {
  TranslateOptions o = options(1000);
  o.reasoning_model = true;
  auto r = to_anthropic(R"({"model":"m","input":"x","reasoning":{"effort":"medium"}})", o);
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(p.json("/thinking"), R"({"type":"enabled","budget_tokens":8192})");
  EXPECT_GT(int64_t(p["/max_tokens"]), 8192);  // raised: budget_tokens < max_tokens
  r = to_anthropic(R"({"model":"m","input":"x","max_output_tokens":20000,
    "reasoning":{"effort":"high","summary":"auto"}})",
                   o);
  EXPECT_EQ(Parsed(r.body).json("/thinking/budget_tokens"), "16384");
  EXPECT_EQ(int64_t(Parsed(r.body)["/max_tokens"]), 20000);
  r = to_anthropic(R"({"model":"m","input":"x","reasoning":{"effort":null,"summary":"auto"}})", o);
  EXPECT_FALSE(Parsed(r.body).has("/thinking"));
  EXPECT_EQ(r.dropped_fields, "");
  // Not a reasoning model: a field without an equivalent.
  r = to_anthropic(R"({"model":"m","input":"x","reasoning":{"effort":"low"}})");
  ASSERT_TRUE(r.ok);
  EXPECT_FALSE(Parsed(r.body).has("/thinking"));
  EXPECT_EQ(r.dropped_fields, "reasoning.effort");
  TranslateOptions refuse = options();
  refuse.unsupported = UnsupportedFields::kRefuse;
  r = to_anthropic(R"({"model":"m","input":"x","reasoning":{"effort":"low"}})", refuse);
  EXPECT_EQ(r.error_param, "reasoning.effort");
}

TEST(ResponsesToAnthropic, JsonSchemaFormatBecomesTheForcedTool) {
  auto r = to_anthropic(R"({"model":"m","input":"x","text":{"format":{"type":"json_schema",
    "name":"answer","schema":{"type":"object","properties":{"a":{"type":"string"}}},
    "strict":true}}})");
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(r.response_format_tool, "answer");
  EXPECT_EQ(p.str("/tools/0/name"), "answer");
  EXPECT_EQ(p.json("/tool_choice"), R"({"type":"tool","name":"answer"})");
  r = to_anthropic(R"({"model":"m","input":"x","text":{"format":{"type":"json_schema",
    "name":"a","schema":{"type":"array"}}}})");
  EXPECT_EQ(r.error_param, "text.format.schema");
  r = to_anthropic(R"({"model":"m","input":"x","tools":[{"type":"function","name":"f"}],
    "text":{"format":{"type":"json_schema","name":"a","schema":{"type":"object"}}}})");
  EXPECT_EQ(r.error_param, "text.format");
  r = to_anthropic(R"({"model":"m","input":"x","text":{"format":{"type":"json_object"}}})");
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.dropped_fields, "text.format");
}

TEST(ResponsesToAnthropic, FieldsWithoutEquivalentFollowThePolicy) {
  const std::string body = R"({"model":"m","input":"x","text":{"verbosity":"low"},
    "prompt_cache_key":"k","metadata":{"a":"b"},"safety_identifier":"s","service_tier":"auto",
    "truncation":"auto","top_logprobs":2,"include":["reasoning.encrypted_content"],
    "stream_options":{"include_obfuscation":false},"brand_new":1})";
  auto r = to_anthropic(body);
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.dropped_fields,
            "brand_new,metadata,prompt_cache_key,safety_identifier,service_tier,text.verbosity,"
            "top_logprobs,truncation");
  TranslateOptions refuse = options();
  refuse.unsupported = UnsupportedFields::kRefuse;
  r = to_anthropic(body, refuse);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.error_message.find(r.error_param), std::string::npos);
  // Defaults mean nothing.
  r = to_anthropic(R"({"model":"m","input":"x","truncation":"disabled","top_logprobs":0,
    "metadata":{},"background":false,"parallel_tool_calls":true})",
                   refuse);
  EXPECT_TRUE(r.ok) << r.error_message;
}

TEST(ResponsesToAnthropic, ServerStateIsRefusedNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"("background":true)", "background"},
      {R"("conversation":"conv_1")", "conversation"},
      {R"("prompt":{"id":"pmpt_1"})", "prompt"},
  };
  for (const auto& [field, name] : cases) {
    auto r = to_anthropic(std::string(R"({"model":"m","input":"x",)") + field + "}");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.error_param, name);
  }
  auto r = to_anthropic(R"({"model":"m","input":[{"type":"item_reference","id":"msg_1"}]})");
  EXPECT_EQ(r.error_param, "input[0].type");
  r = to_anthropic(R"({"model":"m","input":[{"role":"user","content":[
    {"type":"input_image","file_id":"file_1"}]}]})");
  EXPECT_EQ(r.error_param, "input[0].content[0].file_id");
  r = to_anthropic(R"({"model":"m","input":[{"role":"user","content":[
    {"type":"input_file","file_data":"x"}]}]})");
  EXPECT_EQ(r.error_param, "input[0].content[0].type");
  EXPECT_NE(r.error_message.find("input_file"), std::string::npos);
}

TEST(ResponsesToAnthropic, MalformedBodiesGetAClearError) {
  for (const char* body :
       {"", "[]", "not json", R"({"input":"x"})", R"({"model":"m"})", R"({"model":"m","input":3})",
        R"({"model":"m","input":[3]})", R"({"model":"m","input":[{"role":"tool","content":"x"}]})",
        R"({"model":"m","input":[{"role":"user"}]})",
        R"({"model":"m","input":[{"type":"function_call","name":"f"}]})",
        R"({"model":"m","input":"x","tools":{}})",
        R"({"model":"m","input":[{"role":"user","content":[
                             {"type":"input_image","image_url":"http://x"}]}]})"}) {
    SCOPED_TRACE(body);
    auto r = to_anthropic(body);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.status, 400);
    EXPECT_FALSE(r.error_message.empty());
    EXPECT_TRUE(r.body.empty());
  }
}

TEST(ResponsesToAnthropic, EchoCopiesTheFieldsTheRequestSet) {
  TranslateOptions o = options();
  o.model_override = "claude-upstream";
  auto r = to_anthropic(R"({"model":"gpt-x","input":"x","instructions":"I","temperature":0.2,
    "tools":[{"type":"function","name":"f"}],"store":false,"text":{"verbosity":"low"}})",
                        o);
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(Parsed(r.body).str("/model"), "claude-upstream");
  EXPECT_EQ(r.client_model, "gpt-x");
  Parsed echo("{" + r.responses_echo + "}");
  EXPECT_EQ(echo.str("/instructions"), "I");
  EXPECT_EQ(double(echo["/temperature"]), 0.2);
  EXPECT_EQ(echo.str("/tools/0/name"), "f");
  EXPECT_FALSE(bool(echo["/store"]));
  EXPECT_EQ(echo.str("/text/verbosity"), "low");
  EXPECT_FALSE(echo.has("/model"));
  EXPECT_FALSE(echo.has("/input"));
  EXPECT_EQ(to_anthropic(R"({"model":"m","input":"x"})").responses_echo, "");
}

// ------------------------------------------------------------------------------------------
// chat completions

TEST(ResponsesToChat, MessagesSystemAndInstructions) {
  auto r = to_chat(R"({"model":"m","instructions":"I","input":[
    {"role":"developer","content":"D"},{"role":"user","content":[{"type":"input_text","text":"a"},
      {"type":"input_image","image_url":"https://x.test/i.png","detail":"high"},
      {"type":"input_image","image_url":"data:image/png;base64,QQ=="}]},
    {"role":"assistant","content":[{"type":"output_text","text":"b"}]}]})");
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(p.json("/messages"),
            R"([{"role":"system","content":"I"},{"role":"system","content":"D"},)"
            R"({"role":"user","content":[{"type":"text","text":"a"},)"
            R"({"type":"image_url","image_url":{"url":"https://x.test/i.png","detail":"high"}},)"
            R"({"type":"image_url","image_url":{"url":"data:image/png;base64,QQ=="}}]},)"
            R"({"role":"assistant","content":"b"}])");
  EXPECT_FALSE(p.has("/max_tokens"));
}

TEST(ResponsesToChat, CallsMergeIntoOneAssistantMessageWithThePrecedingText) {
  auto r = to_chat(R"({"model":"m","input":[{"role":"user","content":"go"},
    {"role":"assistant","content":"Let me look."},
    {"type":"reasoning","summary":[],"encrypted_content":"SIG"},
    {"type":"function_call","call_id":"c1","name":"shell","arguments":"{\"cmd\":\"ls\"}"},
    {"type":"custom_tool_call","call_id":"c2","name":"apply_patch","input":"P \"q\""},
    {"type":"function_call_output","call_id":"c1","output":"a.txt"},
    {"type":"custom_tool_call_output","call_id":"c2","output":[{"type":"input_text","text":"ok"}]},
    {"type":"reasoning","summary":[{"type":"summary_text","text":"t"}]}]})");
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(
      p.json("/messages/1"),
      R"({"role":"assistant","content":"Let me look.","tool_calls":[)"
      R"({"id":"c1","type":"function","function":{"name":"shell","arguments":"{\"cmd\":\"ls\"}"}},)"
      R"({"id":"c2","type":"function","function":{"name":"apply_patch",)"
      R"("arguments":"{\"input\":\"P \\\"q\\\"\"}"}}]})");
  EXPECT_EQ(p.json("/messages/2"), R"({"role":"tool","tool_call_id":"c1","content":"a.txt"})");
  EXPECT_EQ(p.json("/messages/3"), R"({"role":"tool","tool_call_id":"c2","content":"ok"})");
  EXPECT_FALSE(p.has("/messages/4"));
  r = to_chat(R"({"model":"m","input":[{"type":"function_call_output","call_id":"c",
    "output":[{"type":"input_image","image_url":"https://x.test/a.png"}]}]})");
  EXPECT_EQ(r.error_param, "input[0].output");
}

TEST(ResponsesToChat, ToolsChoiceAndParallelCalls) {
  auto r = to_chat(R"({"model":"m","input":"x","tools":[
    {"type":"function","name":"f","description":"F","parameters":{"type":"object"},"strict":false},
    {"type":"custom","name":"apply_patch","description":"Edit"}],
    "tool_choice":{"type":"function","name":"f"},"parallel_tool_calls":false})");
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(p.json("/tools/0"), R"({"type":"function","function":{"name":"f","description":"F",)"
                                R"("parameters":{"type":"object"},"strict":false}})");
  EXPECT_EQ(p.str("/tools/1/function/description"), "Edit");
  EXPECT_EQ(p.json("/tools/1/function/parameters/required"), R"(["input"])");
  EXPECT_EQ(p.json("/tool_choice"), R"({"type":"function","function":{"name":"f"}})");
  EXPECT_FALSE(bool(p["/parallel_tool_calls"]));
  EXPECT_EQ(r.custom_tools, "apply_patch");
  r = to_chat(R"({"model":"m","input":"x","tools":[{"type":"function","name":"f"}],
    "tool_choice":"required"})");
  EXPECT_EQ(Parsed(r.body).str("/tool_choice"), "required");
}

TEST(ResponsesToChat, SamplingStreamFormatAndReasoning) {
  TranslateOptions o = options();
  o.use_max_completion_tokens = true;
  o.reasoning_model = true;
  auto r = to_chat(R"({"model":"m","input":"x","max_output_tokens":77,"temperature":1.5,
    "top_p":0.5,"user":"u","stream":true,"reasoning":{"effort":"high"},
    "text":{"format":{"type":"json_schema","name":"s","schema":{"type":"object"},"strict":true}}})",
                   o);
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(int64_t(p["/max_completion_tokens"]), 77);
  EXPECT_EQ(double(p["/temperature"]), 1.5);
  EXPECT_EQ(p.str("/user"), "u");
  EXPECT_EQ(p.str("/reasoning_effort"), "high");
  EXPECT_EQ(p.json("/stream_options"), R"({"include_usage":true})");
  EXPECT_EQ(p.json("/response_format"),
            R"({"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"},)"
            R"("strict":true}})");
  r = to_chat(R"({"model":"m","input":"x","max_output_tokens":5,
    "text":{"format":{"type":"json_object"}}})");
  Parsed q(r.body);
  EXPECT_EQ(int64_t(q["/max_tokens"]), 5);
  EXPECT_EQ(q.json("/response_format"), R"({"type":"json_object"})");
  r = to_chat(R"({"model":"m","input":"x","reasoning":{"effort":"high"}})");
  EXPECT_EQ(r.dropped_fields, "reasoning.effort");
  EXPECT_FALSE(Parsed(r.body).has("/reasoning_effort"));
}

// ------------------------------------------------------------------------------------------
// Property: whatever the mix of items, the Anthropic request keeps every message text, call and
// result in order, and the chat request keeps every text, call and output in order.

std::string random_request(std::mt19937& rng, std::vector<std::string>& expected) {
  std::string input = "[";
  const int n = 1 + int(rng() % 12);
  for (int i = 0; i < n; ++i) {
    if (i > 0) input += ',';
    const std::string tag = "t" + std::to_string(i);
    switch (rng() % 4) {
      case 0:
        input += R"({"role":"user","content":"<)" + tag + R"(>"})";
        expected.push_back("text:" + tag);
        break;
      case 1:
        input +=
            R"({"role":"assistant","content":[{"type":"output_text","text":"<)" + tag + R"(>"}]})";
        expected.push_back("text:" + tag);
        break;
      case 2:
        input +=
            R"({"type":"function_call","call_id":")" + tag + R"(","name":"f","arguments":"{}"})";
        expected.push_back("call:" + tag);
        break;
      default:
        input += R"({"type":"function_call_output","call_id":")" + tag + R"(","output":"o"})";
        expected.push_back("result:" + tag);
    }
  }
  return R"({"model":"m","input":)" + input + "]}";
}

// Texts are "<tN>" so that the texts a chat assistant message concatenates can be told apart.
std::vector<std::string> text_tags(std::string_view content) {
  std::vector<std::string> tags;
  size_t at = 0;
  while ((at = content.find('<', at)) != std::string_view::npos) {
    const size_t end = content.find('>', at);
    tags.push_back("text:" + std::string(content.substr(at + 1, end - at - 1)));
    at = end;
  }
  return tags;
}

TEST(ResponsesRequestProperty, AnthropicRequestKeepsEveryMessageCallAndResultInOrder) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> expected, seen;
    const std::string body = random_request(rng, expected);
    auto r = to_anthropic(body);
    ASSERT_TRUE(r.ok) << r.error_message << body;
    Parsed p(r.body);
    std::string last_role;
    for (element m : simdjson::dom::array(p["/messages"])) {
      const std::string role = text_of(m["role"]);
      EXPECT_NE(role, last_role) << "same-role turns must merge: " << r.body;
      last_role = role;
      for (element b : simdjson::dom::array(m["content"])) {
        const std::string_view type = b["type"];
        if (type == "text") {
          for (auto& tag : text_tags(std::string_view(b["text"]))) seen.push_back(tag);
        }
        if (type == "tool_use") seen.push_back("call:" + text_of(b["id"]));
        if (type == "tool_result") {
          seen.push_back("result:" + text_of(b["tool_use_id"]));
        }
      }
    }
    EXPECT_EQ(seen, expected) << body;
  }
}

TEST(ResponsesRequestProperty, ChatRequestKeepsEveryTextCallAndOutputInOrder) {
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> expected, seen;
    const std::string body = random_request(rng, expected);
    auto r = to_chat(body);
    ASSERT_TRUE(r.ok) << r.error_message << body;
    Parsed p(r.body);
    for (element m : simdjson::dom::array(p["/messages"])) {
      const std::string_view role = m["role"];
      element content, calls;
      if (role == "tool") {
        seen.push_back("result:" + text_of(m["tool_call_id"]));
      } else if (!m["content"].get(content) && content.is_string()) {
        for (auto& tag : text_tags(std::string_view(content))) seen.push_back(tag);
      }
      if (!m["tool_calls"].get(calls)) {
        for (element c : simdjson::dom::array(calls)) {
          seen.push_back("call:" + text_of(c["id"]));
        }
      }
    }
    EXPECT_EQ(seen, expected) << body << "\n" << r.body;
  }
}

// Codex groups its sub-agent tools in a `namespace` tool: each member goes upstream as one flat
// function "<namespace>__<name>", a call from the history with its namespace by that name, and
// the result lists the members so their calls come back with the namespace.
TEST(ResponsesToBoth, NamespaceToolsBecomeFlatFunctions) {
  constexpr std::string_view body = R"({"model":"m","input":[
      {"type":"message","role":"user","content":"go"},
      {"type":"function_call","call_id":"c1","namespace":"agents","name":"spawn","arguments":"{}"},
      {"type":"function_call_output","call_id":"c1","output":"ok"}],
    "tools":[{"type":"namespace","name":"agents","description":"Sub-agents.","tools":[
      {"type":"function","name":"spawn","description":"Start one.","parameters":{"type":"object"}},
      {"type":"custom","name":"note"}]},
      {"type":"function","name":"shell"}]})";
  auto a = to_anthropic(body);
  ASSERT_TRUE(a.ok) << a.error_message;
  Parsed pa(a.body);
  EXPECT_EQ(pa.str("/tools/0/name"), "agents__spawn");
  EXPECT_EQ(pa.str("/tools/0/description"),
            "Start one.\n\n(Part of the tool group agents: Sub-agents.)");
  EXPECT_EQ(pa.str("/tools/1/name"), "agents__note");
  EXPECT_EQ(pa.str("/tools/2/name"), "shell");
  EXPECT_EQ(pa.str("/messages/1/content/0/name"), "agents__spawn");
  EXPECT_EQ(a.namespaced_tools, "agents.spawn,agents.note");
  EXPECT_EQ(a.custom_tools, "agents__note");
  auto c = to_chat(body);
  ASSERT_TRUE(c.ok) << c.error_message;
  Parsed pc(c.body);
  EXPECT_EQ(pc.str("/tools/0/function/name"), "agents__spawn");
  EXPECT_EQ(pc.str("/messages/1/tool_calls/0/function/name"), "agents__spawn");
  EXPECT_EQ(c.namespaced_tools, "agents.spawn,agents.note");
}

TEST(ResponsesToBoth, MalformedNamespaceToolsAreRefused) {
  for (std::string_view tools :
       {R"([{"type":"namespace","name":"a.b","tools":[]}])",
        R"([{"type":"namespace","name":"a","tools":{}}])",
        R"([{"type":"namespace","name":"a","tools":[{"type":"function","name":"x,y"}]}])",
        R"([{"type":"namespace","name":"a","tools":[{"type":"web_search"}]}])"}) {
    const std::string body = R"({"model":"m","input":"x","tools":)" + std::string(tools) + "}";
    for (const TranslateResult& r : {to_anthropic(body), to_chat(body)}) {
      EXPECT_FALSE(r.ok) << tools;
      EXPECT_EQ(r.status, 400) << tools;
      EXPECT_EQ(r.error_param.substr(0, 5), "tools") << tools << " " << r.error_param;
    }
  }
}

TEST(ResponsesToBoth, ItemReferencesReadTheItemsTheGatewayFound) {
  constexpr std::string_view body = R"({"model":"m","input":[
      {"role":"user","content":"hi"},{"type":"item_reference","id":"msg_ab_0"},
      {"role":"user","content":"more"}]})";
  TranslateOptions o = options();
  o.referenced_items =
      R"({"msg_ab_0":{"id":"msg_ab_0","type":"message","role":"assistant","status":"completed",)"
      R"("content":[{"type":"output_text","text":"hello there","annotations":[]}]}})";
  auto a = responses_to_anthropic(body, o);
  ASSERT_TRUE(a.ok) << a.error_message;
  Parsed pa(a.body);
  EXPECT_EQ(pa.str("/messages/1/role"), "assistant");
  EXPECT_EQ(pa.str("/messages/1/content/0/text"), "hello there");
  // The conversation keeps the item itself, not the reference.
  EXPECT_EQ(a.conversation_items.find("item_reference"), std::string::npos) << a.conversation_items;
  EXPECT_NE(a.conversation_items.find("hello there"), std::string::npos);
  auto c = responses_to_openai_chat(body, o);
  ASSERT_TRUE(c.ok) << c.error_message;
  EXPECT_EQ(Parsed(c.body).str("/messages/1/content"), "hello there");
  // Unknown, or pointing at another reference: refused, naming the item.
  o.referenced_items = R"({"msg_other":{"type":"message","role":"assistant","content":"x"}})";
  EXPECT_EQ(responses_to_anthropic(body, o).error_param, "input[1].type");
  o.referenced_items = R"({"msg_ab_0":{"type":"item_reference","id":"msg_ab_0"}})";
  EXPECT_EQ(responses_to_anthropic(body, o).error_param, "input[1].type");
  EXPECT_EQ(to_anthropic(body).error_param, "input[1].type");
}

}  // namespace
}  // namespace ringgate::providers
