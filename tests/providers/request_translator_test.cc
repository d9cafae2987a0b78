#include "providers/request_translator.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "providers/json_writer.h"
#include "tests/providers/translation_test_support.h"

namespace ringgate::providers {
namespace {

using simdjson::dom::element;

TranslateOptions options(int64_t default_max_tokens = 4096) {
  TranslateOptions o;
  o.default_max_tokens = default_max_tokens;
  return o;
}

using testing::Parsed;

// ---- OpenAI -> Anthropic --------------------------------------------------------------------

// seed-defect: 004-P9 (system messages anywhere, several of them, all reach Anthropic's system)
TEST(OpenAiToAnthropicRequest, MergesSystemMessagesFromAnyPositionInOrder) {
  auto r = openai_chat_to_anthropic(
      R"({"model":"m","messages":[{"role":"user","content":"u1"},{"role":"system","content":"s1"},)"
      R"({"role":"assistant","content":"a1"},{"role":"developer","content":"s2"},)"
      R"({"role":"user","content":"u2"}]})",
      options());
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(std::string_view(p["/system/0/text"]), "s1");
  EXPECT_EQ(std::string_view(p["/system/1/text"]), "s2");
  EXPECT_FALSE(p.has("/system/2"));
  // System messages leave no trace (and no empty turn) among the messages.
  EXPECT_EQ(std::string_view(p["/messages/0/role"]), "user");
  EXPECT_EQ(std::string_view(p["/messages/1/role"]), "assistant");
  EXPECT_EQ(std::string_view(p["/messages/2/role"]), "user");
  EXPECT_EQ(std::string_view(p["/messages/2/content/0/text"]), "u2");
  EXPECT_FALSE(p.has("/messages/3"));
}

// seed-defect: 004-P9 (parallel tool results paired into one user turn)
TEST(OpenAiToAnthropicRequest, MergesConsecutiveToolResultsAndFollowingUserText) {
  auto r = openai_chat_to_anthropic(
      R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"go"},)"
      R"({"role":"assistant","tool_calls":[)"
      R"({"id":"c1","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}},)"
      R"({"id":"c2","type":"function","function":{"name":"g","arguments":""}}]},)"
      R"({"role":"tool","tool_call_id":"c1","content":"r1"},)"
      R"({"role":"tool","tool_call_id":"c2","content":"r2"},)"
      R"({"role":"user","content":"and now?"}]})",
      options());
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(std::string_view(p["/messages/1/content/0/type"]), "tool_use");
  EXPECT_EQ(int64_t(p["/messages/1/content/0/input/x"]), 1);
  EXPECT_EQ(std::string_view(p["/messages/1/content/1/id"]), "c2");
  EXPECT_EQ(p["/messages/1/content/1/input"].get_object().value().size(), 0u);
  EXPECT_EQ(std::string_view(p["/messages/2/role"]), "user");
  EXPECT_EQ(std::string_view(p["/messages/2/content/0/tool_use_id"]), "c1");
  EXPECT_EQ(std::string_view(p["/messages/2/content/1/tool_use_id"]), "c2");
  EXPECT_EQ(std::string_view(p["/messages/2/content/2/text"]), "and now?");
  EXPECT_FALSE(p.has("/messages/3"));
}

TEST(OpenAiToAnthropicRequest, MapsToolChoiceVariants) {
  const std::string tools =
      R"("tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}])";
  struct {
    const char* choice;
    const char* type;
  } cases[] = {{R"("auto")", "auto"},
               {R"("none")", "none"},
               {R"("required")", "any"},
               {R"({"type":"function","function":{"name":"f"}})", "tool"}};
  for (auto c : cases) {
    auto r =
        openai_chat_to_anthropic(R"({"model":"m","messages":[{"role":"user","content":"x"}],)" +
                                     tools + R"(,"tool_choice":)" + c.choice + "}",
                                 options());
    ASSERT_TRUE(r.ok) << r.error_message;
    Parsed p(r.body);
    EXPECT_EQ(std::string_view(p["/tool_choice/type"]), c.type) << c.choice;
  }
  auto r = openai_chat_to_anthropic(R"({"model":"m","messages":[{"role":"user","content":"x"}],)" +
                                        tools + R"(,"parallel_tool_calls":false})",
                                    options());
  ASSERT_TRUE(r.ok);
  Parsed p(r.body);
  EXPECT_EQ(std::string_view(p["/tool_choice/type"]), "auto");
  EXPECT_TRUE(bool(p["/tool_choice/disable_parallel_tool_use"]));
}

TEST(OpenAiToAnthropicRequest, MaxTokensPrefersMaxCompletionTokensThenDefault) {
  auto both = openai_chat_to_anthropic(
      R"({"model":"m","max_tokens":5,"max_completion_tokens":7,"messages":[]})", options());
  ASSERT_TRUE(both.ok);
  EXPECT_EQ(int64_t(Parsed(both.body)["/max_tokens"]), 7);
  auto dflt = openai_chat_to_anthropic(R"({"model":"m","messages":[]})", options(321));
  ASSERT_TRUE(dflt.ok);
  EXPECT_EQ(int64_t(Parsed(dflt.body)["/max_tokens"]), 321);
  auto none = openai_chat_to_anthropic(R"({"model":"m","messages":[]})", options(0));
  EXPECT_FALSE(none.ok);
  EXPECT_EQ(none.error_param, "max_tokens");
}

TEST(OpenAiToAnthropicRequest, RenamesModelAndReportsClientFacts) {
  TranslateOptions o = options();
  o.model_override = "claude-x";
  auto r = openai_chat_to_anthropic(
      R"({"model":"gpt-4o","messages":[],"stream":true,"stream_options":{"include_usage":true}})",
      o);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(std::string_view(Parsed(r.body)["/model"]), "claude-x");
  EXPECT_EQ(r.client_model, "gpt-4o");
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.include_usage);
}

TEST(OpenAiToAnthropicRequest, JsonSchemaBecomesAForcedTool) {
  auto r = openai_chat_to_anthropic(
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema",)"
      R"("json_schema":{"name":"answer","schema":{"type":"object","properties":{"a":{"type":"integer"}}}}}})",
      options());
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(std::string_view(p["/tools/0/name"]), "answer");
  EXPECT_EQ(std::string_view(p["/tools/0/input_schema/properties/a/type"]), "integer");
  EXPECT_EQ(std::string_view(p["/tool_choice/type"]), "tool");
  EXPECT_EQ(std::string_view(p["/tool_choice/name"]), "answer");
  EXPECT_EQ(r.response_format_tool, "answer");
}

TEST(OpenAiToAnthropicRequest, RefusesWhatCannotBeMappedNamingTheField) {
  struct {
    const char* body;
    const char* param;
  } cases[] = {
      {R"({"model":"m","messages":[],"n":2})", "n"},
      {R"({"model":"m","messages":[],"logprobs":true})", "logprobs"},
      {R"({"model":"m","messages":[],"top_logprobs":3})", "top_logprobs"},
      {R"({"model":"m","messages":[],"seed":7})", "seed"},
      {R"({"model":"m","messages":[],"frequency_penalty":0.5})", "frequency_penalty"},
      {R"({"model":"m","messages":[],"logit_bias":{"50256":-100}})", "logit_bias"},
      {R"({"model":"m","messages":[],"temperature":1.5})", "temperature"},
      {R"({"model":"m","messages":[],"response_format":{"type":"json_object"}})",
       "response_format.type"},
      {R"({"model":"m","messages":[],"reasoning_effort":"high"})", "reasoning_effort"},
      {R"({"model":"m","messages":[],"brand_new_field":1})", "brand_new_field"},
      {R"({"model":"m","messages":[{"role":"user","content":"x","name":"bob"}]})",
       "messages[0].name"},
      {R"({"model":"m","messages":[{"role":"function","name":"f","content":"x"}]})",
       "messages[0].role"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"input_audio"}]}]})",
       "messages[0].content[0].type"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x"}}]}]})",
       "messages[0].content[0].image_url.url"},
      {R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"[1]"}}]}]})",
       "messages[0].tool_calls[0].function.arguments"},
      {R"({"model":"m","messages":[],"tools":[{"type":"custom","custom":{"name":"x"}}]})",
       "tools[0].type"},
      {R"({"model":"m","messages":[],"tools":[{"type":"function","function":{"name":"f"}}],)"
       R"("response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{"type":"object"}}}})",
       "response_format"},
  };
  for (auto c : cases) {
    auto r = openai_chat_to_anthropic(c.body, options());
    EXPECT_FALSE(r.ok) << c.body;
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.error_param, c.param) << c.body;
    EXPECT_NE(r.error_message.find(c.param), std::string::npos) << r.error_message;
    EXPECT_TRUE(r.body.empty());
  }
}

TEST(OpenAiToAnthropicRequest, IgnoresOnlyFieldsWithoutEffect) {
  auto r = openai_chat_to_anthropic(
      R"({"model":"m","messages":[],"n":1,"logprobs":false,"presence_penalty":0,"logit_bias":{},)"
      R"("store":false,"metadata":{"k":"v"},"service_tier":"auto","stream_options":null,)"
      R"("seed":null,"modalities":["text"],"response_format":{"type":"text"}})",
      options());
  ASSERT_TRUE(r.ok) << r.error_message;
}

TEST(OpenAiToAnthropicRequest, RejectsBodiesThatAreNotJsonObjects) {
  for (const char* body : {"", "[]", "{\"model\":", "{\"model\":\"m\"}"}) {
    auto r = openai_chat_to_anthropic(body, options());
    EXPECT_FALSE(r.ok) << body;
    EXPECT_EQ(r.status, 400);
  }
}

// Fields that ask the upstream to keep state between requests: refused by name, saying what to
// send instead, when the upstream is of the other API (and ringgate keeps none).
TEST(OpenAiToAnthropicRequest, StoreTrueNeedsOpenAisServersAndSaysWhatToSend) {
  auto r = openai_chat_to_anthropic(
      R"({"model":"m","store":true,"messages":[{"role":"user","content":"hi"}]})", options());
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_param, "store");
  EXPECT_NE(r.error_message.find("send 'store': false or leave it out"), std::string::npos)
      << r.error_message;
  EXPECT_TRUE(
      openai_chat_to_anthropic(
          R"({"model":"m","store":false,"messages":[{"role":"user","content":"hi"}]})", options())
          .ok);
}

// ---- Anthropic -> OpenAI --------------------------------------------------------------------

// seed-defect: 004-P9
TEST(AnthropicToOpenAiRequest, ToolResultsBecomeToolMessagesBeforeUserText) {
  auto r = anthropic_to_openai_chat(
      R"({"model":"m","max_tokens":9,"system":"sys","messages":[{"role":"user","content":"q"},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{"a":[1,2]}},)"
      R"({"type":"tool_use","id":"t2","name":"g","input":{}}]},)"
      R"({"role":"user","content":[{"type":"text","text":"here"},)"
      R"({"type":"tool_result","tool_use_id":"t1","content":"r1"},)"
      R"({"type":"tool_result","tool_use_id":"t2","content":"bad","is_error":true}]}],"stream":true})",
      options());
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(std::string_view(p["/messages/0/role"]), "system");
  EXPECT_EQ(std::string_view(p["/messages/0/content"]), "sys");
  EXPECT_TRUE(p["/messages/2/content"].is_null());
  EXPECT_EQ(std::string_view(p["/messages/2/tool_calls/0/function/arguments"]), R"({"a":[1,2]})");
  EXPECT_EQ(std::string_view(p["/messages/2/tool_calls/1/function/arguments"]), "{}");
  EXPECT_EQ(std::string_view(p["/messages/3/role"]), "tool");
  EXPECT_EQ(std::string_view(p["/messages/3/tool_call_id"]), "t1");
  EXPECT_EQ(std::string_view(p["/messages/4/content"]), "Error: bad");
  EXPECT_EQ(std::string_view(p["/messages/5/role"]), "user");
  EXPECT_EQ(std::string_view(p["/messages/5/content"]), "here");
  EXPECT_TRUE(bool(p["/stream_options/include_usage"]));
}

// The Anthropic SDK's toolRunner and thread() send `thread`; the refusal carries the code its
// thread helpers recover from (they resend the whole history without a thread).
TEST(AnthropicToOpenAiRequest, ThreadsNeedServerStateAndAreRefusedRecoverably) {
  for (const char* thread :
       {R"({"type":"create"})", R"({"type":"continue","previous_message_id":"msg_1"})"}) {
    SCOPED_TRACE(thread);
    auto r = anthropic_to_openai_chat(
        std::string(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],)"
                    R"("thread":)") +
            thread + "}",
        options());
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.error_param, "thread");
    EXPECT_EQ(r.error_code, protocol::ErrorCode::kThreadUnsupported);
    EXPECT_NE(r.error_message.find("without 'thread'"), std::string::npos) << r.error_message;
  }
  auto container = anthropic_to_openai_chat(
      R"({"model":"m","max_tokens":5,"messages":[],"container":"cntr_1"})", options());
  ASSERT_FALSE(container.ok);
  EXPECT_EQ(container.error_param, "container");
  EXPECT_NE(container.error_message.find("without 'container'"), std::string::npos);
  EXPECT_TRUE(anthropic_to_openai_chat(
                  R"({"model":"m","max_tokens":5,"messages":[],"thread":null})", options())
                  .ok);
}

TEST(AnthropicToOpenAiRequest, MaxTokensFieldFollowsOption) {
  TranslateOptions o = options();
  o.use_max_completion_tokens = true;
  auto r = anthropic_to_openai_chat(R"({"model":"m","max_tokens":9,"messages":[]})", o);
  ASSERT_TRUE(r.ok);
  Parsed p(r.body);
  EXPECT_EQ(int64_t(p["/max_completion_tokens"]), 9);
  EXPECT_FALSE(p.has("/max_tokens"));
}

// Content the model would miss, and malformed values: refused whatever the policy.
TEST(AnthropicToOpenAiRequest, RefusesWhatCannotBeMappedNamingTheField) {
  struct {
    const char* body;
    const char* param;
  } cases[] = {
      {R"({"model":"m","max_tokens":1,"messages":[],"tools":[{"type":"web_search_20250305","name":"web_search"}]})",
       "tools[0].type"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"document","source":{}}]}]})",
       "messages[0].content[0].type"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"image","source":{}}]}]}]})",
       "messages[1].content[0].content[0].type"},
      {R"({"model":"m","max_tokens":0,"messages":[]})", "max_tokens"},
      {R"({"model":"m","max_tokens":1,"messages":[],"thinking":{"type":"sometimes"}})",
       "thinking.type"},
      {R"({"model":"m","max_tokens":1,"messages":[],"thinking":{"type":"enabled","budget_tokens":"x"}})",
       "thinking.budget_tokens"},
      {R"({"model":"m","max_tokens":1,"messages":[],"output_config":{"effort":"extreme"}})",
       "output_config.effort"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"system","content":[{"type":"image","source":{}}]}]})",
       "messages[0].content[0].type"},
  };
  for (UnsupportedFields policy : {UnsupportedFields::kDrop, UnsupportedFields::kRefuse}) {
    for (bool reasoning : {false, true}) {
      for (auto c : cases) {
        TranslateOptions o = options();
        o.unsupported = policy;
        o.reasoning_model = reasoning;
        auto r = anthropic_to_openai_chat(c.body, o);
        EXPECT_FALSE(r.ok) << c.body;
        EXPECT_EQ(r.error_param, c.param) << c.body;
        EXPECT_NE(r.error_message.find(c.param), std::string::npos) << r.error_message;
      }
    }
  }
}

// Fields with no OpenAI equivalent, one at a time: "drop" names each in dropped_fields and sends
// none of it; "refuse" answers 400 naming its path.
TEST(AnthropicToOpenAiRequest, FieldsWithoutEquivalentFollowThePolicy) {
  struct {
    const char* body;
    const char* dropped;  // its name in x-ringgate-dropped-fields
    const char* param;    // its path in the refusal
    const char* absent;   // what must not reach the upstream
  } cases[] = {
      {R"({"model":"m","max_tokens":1,"messages":[],"thinking":{"type":"enabled","budget_tokens":2048}})",
       "thinking", "thinking", "reasoning_effort"},
      {R"({"model":"m","max_tokens":1,"messages":[],"thinking":{"type":"adaptive"}})", "thinking",
       "thinking", "reasoning_effort"},
      {R"({"model":"m","max_tokens":1,"messages":[],"output_config":{"effort":"low"}})",
       "output_config.effort", "output_config.effort", "low"},
      {R"({"model":"m","max_tokens":1,"messages":[],"output_config":{"format":{"type":"json_schema"}}})",
       "output_config.format", "output_config.format", "json_schema"},
      {R"({"model":"m","max_tokens":1,"messages":[],"context_management":{"edits":[]}})",
       "context_management", "context_management", "edits"},
      {R"({"model":"m","max_tokens":1,"messages":[],"metadata":{"tenant":"x"}})", "metadata.tenant",
       "metadata.tenant", "tenant"},
      {R"({"model":"m","max_tokens":1,"messages":[],"mcp_servers":[{"url":"u"}]})", "mcp_servers",
       "mcp_servers", "mcp_servers"},
      {R"({"model":"m","max_tokens":1,"messages":[],"system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}]})",
       "cache_control", "system[0].cache_control", "ephemeral"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"text","text":"q","cache_control":{"type":"ephemeral"}}]}]})",
       "cache_control", "messages[0].content[0].cache_control", "ephemeral"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"r","cache_control":{"type":"ephemeral"}}]}]})",
       "cache_control", "messages[1].content[0].cache_control", "ephemeral"},
      {R"({"model":"m","max_tokens":1,"messages":[],"tools":[{"name":"f","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}]})",
       "cache_control", "tools[0].cache_control", "ephemeral"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"q","cache_control":{}}]})",
       "cache_control", "messages[0].cache_control", "cache_control"},
  };
  for (auto c : cases) {
    SCOPED_TRACE(c.body);
    TranslateOptions o = options();
    auto dropped = anthropic_to_openai_chat(c.body, o);
    ASSERT_TRUE(dropped.ok) << dropped.error_message;
    EXPECT_EQ(dropped.dropped_fields, c.dropped);
    EXPECT_EQ(dropped.body.find(c.absent), std::string::npos) << dropped.body;
    o.unsupported = UnsupportedFields::kRefuse;
    auto refused = anthropic_to_openai_chat(c.body, o);
    EXPECT_FALSE(refused.ok);
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(refused.error_param, c.param);
    EXPECT_NE(refused.error_message.find(c.param), std::string::npos) << refused.error_message;
  }
}

TEST(AnthropicToOpenAiRequest, DroppedFieldsAreSortedUniqueAndSafeInAHeader) {
  auto r = anthropic_to_openai_chat(
      R"({"model":"m","max_tokens":1,"zeta":1,"context_management":{},"messages":[)"
      R"({"role":"user","content":[{"type":"text","text":"a","cache_control":{}},)"
      R"({"type":"text","text":"b","cache_control":{}}]}],"evil\r\nx-injected: 1":true,)"
      R"("metadata":{"user_id":"u","trace":"t"},"service_tier":"auto","container":null})",
      options());
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.dropped_fields,
            "cache_control,context_management,evil__x-injected__1,metadata.trace,zeta");
  // A request naming thousands of unknown fields still gets a header of bounded size.
  std::string body = R"({"model":"m","max_tokens":1,"messages":[])";
  for (int i = 0; i < 2000; ++i) body += ",\"field_" + std::to_string(i) + "\":1";
  body += "}";
  r = anthropic_to_openai_chat(body, options());
  ASSERT_TRUE(r.ok);
  EXPECT_LE(r.dropped_fields.size(), 1024u + 4);
  EXPECT_EQ(r.dropped_fields.substr(r.dropped_fields.size() - 4), ",...");
  // Nothing dropped, no header.
  r = anthropic_to_openai_chat(
      R"({"model":"m","max_tokens":1,"messages":[],"thinking":{"type":"disabled"}})", options());
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.dropped_fields, "");
}

// A reasoning model: thinking and output_config.effort become reasoning_effort.
TEST(AnthropicToOpenAiRequest, ThinkingAndEffortBecomeReasoningEffortForAReasoningModel) {
  struct {
    const char* fields;
    const char* effort;  // "" = none sent
  } cases[] = {
      {R"("thinking":{"type":"enabled","budget_tokens":1024})", "low"},
      {R"("thinking":{"type":"enabled","budget_tokens":4095})", "low"},
      {R"("thinking":{"type":"enabled","budget_tokens":4096})", "medium"},
      {R"("thinking":{"type":"enabled","budget_tokens":16383})", "medium"},
      {R"("thinking":{"type":"enabled","budget_tokens":16384})", "high"},
      {R"("thinking":{"type":"enabled","budget_tokens":31999})", "high"},
      {R"("thinking":{"type":"enabled"})", "medium"},
      {R"("thinking":{"type":"adaptive"})", "high"},
      {R"("thinking":{"type":"adaptive"},"output_config":{"effort":"low"})", "low"},
      {R"("thinking":{"type":"enabled","budget_tokens":31999},"output_config":{"effort":"medium"})",
       "medium"},
      {R"("output_config":{"effort":"max"})", "high"},
      {R"("output_config":{"effort":"high"})", "high"},
      {R"("thinking":{"type":"disabled"})", ""},
      {R"("thinking":null)", ""},
      {R"("temperature":1)", ""},
  };
  for (auto c : cases) {
    SCOPED_TRACE(c.fields);
    TranslateOptions o = options();
    o.reasoning_model = true;
    o.unsupported = UnsupportedFields::kRefuse;  // nothing here is without an equivalent
    auto r = anthropic_to_openai_chat(
        std::string(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"q"}],)") +
            c.fields + "}",
        o);
    ASSERT_TRUE(r.ok) << r.error_message;
    EXPECT_EQ(r.dropped_fields, "");
    Parsed p(r.body);
    if (*c.effort) {
      EXPECT_EQ(std::string_view(p["/reasoning_effort"]), c.effort);
    } else {
      EXPECT_FALSE(p.has("/reasoning_effort"));
    }
    EXPECT_FALSE(p.has("/thinking"));
    EXPECT_FALSE(p.has("/output_config"));
  }
}

// Claude Code sends role "system" messages mid-conversation; OpenAI takes them anywhere, except
// between an assistant's tool calls and their results.
TEST(AnthropicToOpenAiRequest, SystemMessagesKeepTheirPlaceAfterToolResults) {
  auto r = anthropic_to_openai_chat(
      R"({"model":"m","max_tokens":9,"system":[{"type":"text","text":"top"}],"messages":[)"
      R"({"role":"user","content":"q"},)"
      R"({"role":"system","content":"mid"},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},)"
      R"({"role":"system","content":[{"type":"text","text":"s1"},{"type":"text","text":"s2"}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r"},)"
      R"({"type":"text","text":"more"}]},)"
      R"({"role":"assistant","content":"done"},)"
      R"({"role":"system","content":"last"}]})",
      options());
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  const char* roles[] = {"system", "user", "system",    "assistant", "tool",
                         "system", "user", "assistant", "system"};
  for (size_t i = 0; i < std::size(roles); ++i) {
    EXPECT_EQ(std::string_view(p["/messages/" + std::to_string(i) + "/role"]), roles[i]) << i;
  }
  EXPECT_FALSE(p.has("/messages/9"));
  EXPECT_EQ(std::string_view(p["/messages/0/content"]), "top");
  EXPECT_EQ(std::string_view(p["/messages/2/content"]), "mid");
  EXPECT_EQ(std::string_view(p["/messages/4/tool_call_id"]), "t1");
  EXPECT_EQ(std::string_view(p["/messages/5/content/0/text"]), "s1");
  EXPECT_EQ(std::string_view(p["/messages/5/content/1/text"]), "s2");
  EXPECT_EQ(std::string_view(p["/messages/6/content"]), "more");
  EXPECT_EQ(std::string_view(p["/messages/8/content"]), "last");
}

TEST(AnthropicToOpenAiRequest, UserIdAndToolStrictMap) {
  auto r = anthropic_to_openai_chat(
      R"({"model":"m","max_tokens":9,"metadata":{"user_id":"u-1"},"messages":[],)"
      R"("tools":[{"name":"f","input_schema":{"type":"object"},"strict":true}]})",
      options());
  ASSERT_TRUE(r.ok) << r.error_message;
  Parsed p(r.body);
  EXPECT_EQ(std::string_view(p["/user"]), "u-1");
  EXPECT_TRUE(bool(p["/tools/0/function/strict"]));
  EXPECT_EQ(r.dropped_fields, "");
}

// ---- Round trips (property tests) -----------------------------------------------------------
//
// Random requests built from the features both APIs share, translated to the other API and back,
// must keep their meaning. "Meaning" is a normal form that erases only the documented,
// meaning-preserving differences: where system text sits, string vs. one-part array, how
// same-role turns are split, tool results before user text, absent vs. "auto" tool_choice.

using simdjson::dom::array;
using simdjson::dom::object;

std::string canonical(element e) {
  std::string s;
  JsonWriter(s).element(e);
  return s;
}

std::string field(object o, std::string_view k) {
  element e;
  if (o.at_key(k).get(e) || e.is_null()) return "-";
  return canonical(e);
}

// Texts of a string-or-parts content value, one per line.
void texts(element content, std::string_view prefix, std::vector<std::string>& items) {
  if (content.is_string()) {
    items.push_back(std::string(prefix) + std::string(std::string_view(content)));
    return;
  }
  if (!content.is_array()) return;
  for (element part : array(content)) {
    object p = part;
    std::string_view type = p["type"];
    if (type == "text") {
      items.push_back(std::string(prefix) + std::string(std::string_view(p["text"])));
    } else if (type == "image_url") {
      element img = p["image_url"];
      items.push_back(std::string(prefix) + "image " +
                      std::string(std::string_view(img.is_string() ? img : img["url"])));
    } else if (type == "image") {
      object src = p["source"];
      std::string_view st = src["type"];
      items.push_back(std::string(prefix) + "image " +
                      (st == "url" ? std::string(std::string_view(src["url"]))
                                   : "data:" + std::string(std::string_view(src["media_type"])) +
                                         ";base64," + std::string(std::string_view(src["data"]))));
    }
  }
}

// Joins adjacent assistant texts (Anthropic text blocks become one OpenAI string).
void push_assistant_text(std::vector<std::string>& items, const std::string& text) {
  if (!items.empty() && items.back().rfind("assistant text ", 0) == 0) {
    items.back() += text;
  } else {
    items.push_back("assistant text " + text);
  }
}

std::string normalize_openai(const std::string& body) {
  simdjson::dom::parser parser;
  object root = parser.parse(body).value();
  std::vector<std::string> system, items;
  std::vector<std::string> user_turn_tools, user_turn_other;
  auto flush_user = [&] {
    for (auto& s : user_turn_tools) items.push_back(s);
    for (auto& s : user_turn_other) items.push_back(s);
    user_turn_tools.clear();
    user_turn_other.clear();
  };
  for (element m : array(root["messages"])) {
    object msg = m;
    std::string_view role = msg["role"];
    if (role == "system" || role == "developer") {
      texts(msg["content"], "", system);
    } else if (role == "user") {
      texts(msg["content"], "user ", user_turn_other);
    } else if (role == "tool") {
      std::vector<std::string> t;
      texts(msg["content"], "", t);
      std::string joined = "tool " + std::string(std::string_view(msg["tool_call_id"])) + " ";
      for (auto& s : t) joined += s;
      user_turn_tools.push_back(joined);
    } else {
      flush_user();
      element content;
      if (!msg["content"].get(content) && !content.is_null()) {
        std::vector<std::string> t;
        texts(content, "", t);
        for (auto& s : t) push_assistant_text(items, s);
      }
      element calls;
      if (!msg["tool_calls"].get(calls) && !calls.is_null()) {
        for (element c : array(calls)) {
          object fn = c["function"];
          std::string_view args = fn["arguments"];
          simdjson::dom::parser ap;
          items.push_back("assistant call " + std::string(std::string_view(c["id"])) + " " +
                          std::string(std::string_view(fn["name"])) + " " +
                          canonical(ap.parse(std::string(args)).value()));
        }
      }
    }
  }
  flush_user();
  std::string out = "model=" + field(root, "model") + "\n";
  std::string max_tokens = field(root, "max_completion_tokens");
  if (max_tokens == "-") max_tokens = field(root, "max_tokens");
  out += "max_tokens=" + max_tokens + "\n";
  for (auto& s : system) out += "system " + s + "\n";
  for (auto& s : items) out += s + "\n";
  out += "tools=" + field(root, "tools") + "\n";
  std::string choice = field(root, "tool_choice");
  out += "tool_choice=" + (choice == "-" ? std::string("\"auto\"") : choice) + "\n";
  // parallel_tool_calls has no effect when tools are off.
  std::string parallel = field(root, "parallel_tool_calls");
  if (choice == "\"none\"") parallel = "-";
  out += "parallel=" + (parallel == "false" ? parallel : std::string("-")) + "\n";
  std::string stop = field(root, "stop");
  if (stop.size() > 0 && stop[0] == '"') stop = "[" + stop + "]";
  out += "stop=" + stop + "\n";
  for (auto k : {"temperature", "top_p", "top_k", "user", "stream"}) {
    out += std::string(k) + "=" + field(root, k) + "\n";
  }
  return out;
}

std::string normalize_anthropic(const std::string& body) {
  simdjson::dom::parser parser;
  object root = parser.parse(body).value();
  std::vector<std::string> system, items;
  element sys;
  if (!root["system"].get(sys)) texts(sys, "", system);
  std::string_view last_role;
  for (element m : array(root["messages"])) {
    object msg = m;
    std::string_view role = msg["role"];
    element content = msg["content"];
    if (role == "user") {
      std::vector<std::string> tools, other;
      if (content.is_string()) {
        other.push_back("user " + std::string(std::string_view(content)));
      } else {
        for (element b : array(content)) {
          object block = b;
          std::string_view type = block["type"];
          if (type == "tool_result") {
            element c, err;
            std::vector<std::string> t;
            if (!block["content"].get(c)) texts(c, "", t);
            std::string joined =
                "tool " + std::string(std::string_view(block["tool_use_id"])) + " ";
            if (!block["is_error"].get(err) && bool(err)) joined += "Error: ";
            for (auto& s : t) joined += s;
            tools.push_back(joined);
          } else {
            std::vector<std::string> t;
            simdjson::dom::parser one;
            std::string wrapped = "[" + canonical(b) + "]";
            texts(one.parse(wrapped).value(), "user ", other);
          }
        }
      }
      // A user turn following a user turn is the same turn (Anthropic merges them).
      if (last_role == "user") {
        // Tool results still sort before other content within the merged turn.
        std::vector<std::string> merged_tools, merged_other;
        while (!items.empty() && items.back().rfind("user ", 0) == 0) {
          merged_other.insert(merged_other.begin(), items.back());
          items.pop_back();
        }
        for (auto& s : tools) items.push_back(s);
        for (auto& s : merged_other) items.push_back(s);
      } else {
        for (auto& s : tools) items.push_back(s);
      }
      for (auto& s : other) items.push_back(s);
    } else {
      if (content.is_string()) {
        push_assistant_text(items, std::string(std::string_view(content)));
      } else {
        for (element b : array(content)) {
          object block = b;
          std::string_view type = block["type"];
          if (type == "text") {
            push_assistant_text(items, std::string(std::string_view(block["text"])));
          } else if (type == "tool_use") {
            items.push_back("assistant call " + std::string(std::string_view(block["id"])) + " " +
                            std::string(std::string_view(block["name"])) + " " +
                            canonical(block["input"]));
          }
        }
      }
    }
    last_role = role;
  }
  std::string out =
      "model=" + field(root, "model") + "\nmax_tokens=" + field(root, "max_tokens") + "\n";
  for (auto& s : system) out += "system " + s + "\n";
  for (auto& s : items) out += s + "\n";
  std::string tools = field(root, "tools");
  out += "tools=" + tools + "\n";
  element tc;
  std::string choice = "auto", parallel = "-";
  if (!root["tool_choice"].get(tc)) {
    choice = std::string(std::string_view(tc["type"]));
    element name, dp;
    if (!tc["name"].get(name)) choice += " " + std::string(std::string_view(name));
    if (!tc["disable_parallel_tool_use"].get(dp) && bool(dp)) parallel = "false";
  }
  out += "tool_choice=" + choice + "\nparallel=" + parallel + "\n";
  out += "stop=" + field(root, "stop_sequences") + "\n";
  element md;
  std::string user = "-";
  if (!root["metadata"].get(md)) user = field(md, "user_id");
  for (auto k : {"temperature", "top_p", "top_k", "stream"}) {
    out += std::string(k) + "=" + field(root, k) + "\n";
  }
  out += "user=" + user + "\n";
  return out;
}

// Random request generators over the shared feature set.
class RequestGenerator {
 public:
  explicit RequestGenerator(uint32_t seed) : rng_(seed) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string text() {
    static const char* words[] = {"hello",       "wörld",     "\"quoted\"",
                                  "line\nbreak", "tab\there", "emoji \xF0\x9F\x98\x80",
                                  "back\\slash", "ok"};
    std::string s = words[pick(8)];
    for (int i = pick(3); i > 0; --i) s += std::string(" ") + words[pick(8)];
    return s;
  }
  void args(JsonWriter& w) {
    w.begin_object().key("city").string(text());
    if (pick(2)) w.key("days").integer(pick(10));
    if (pick(2)) w.key("opts").begin_array().boolean(true).number(0.25).null().end_array();
    w.end_object();
  }

  std::string openai() {
    std::string body;
    JsonWriter w(body);
    w.begin_object().key("model").string("gpt-4o").key("messages").begin_array();
    int call_id = 0;
    const int turns = 1 + pick(5);
    for (int t = 0; t < turns; ++t) {
      if (pick(3) == 0) {
        w.begin_object().key("role").string(pick(2) ? "system" : "developer").key("content");
        if (pick(2)) {
          w.string(text());
        } else {
          w.begin_array();
          for (int i = 1 + pick(2); i > 0; --i) {
            w.begin_object().key("type").string("text").key("text").string(text()).end_object();
          }
          w.end_array();
        }
        w.end_object();
      }
      w.begin_object().key("role").string("user").key("content");
      if (pick(2)) {
        w.string(text());
      } else {
        w.begin_array();
        w.begin_object().key("type").string("text").key("text").string(text()).end_object();
        if (pick(2)) {
          w.begin_object().key("type").string("image_url").key("image_url").begin_object();
          w.key("url").string(pick(2) ? "https://example.com/a.png" : "data:image/png;base64,AAAA");
          w.end_object().end_object();
        }
        w.end_array();
      }
      w.end_object();
      w.begin_object().key("role").string("assistant");
      const int calls = pick(4);
      if (calls == 0 || pick(2)) {
        w.key("content").string(text());
      } else {
        w.key("content").null();
      }
      if (calls > 0) {
        w.key("tool_calls").begin_array();
        for (int c = 0; c < calls; ++c) {
          std::string a;
          JsonWriter aw(a);
          args(aw);
          w.begin_object().key("id").string("call_" + std::to_string(call_id + c));
          w.key("type").string("function").key("function").begin_object();
          w.key("name").string(pick(2) ? "get_weather" : "now").key("arguments").string(a);
          w.end_object().end_object();
        }
        w.end_array();
      }
      w.end_object();
      for (int c = 0; c < calls; ++c) {
        w.begin_object().key("role").string("tool").key("tool_call_id");
        w.string("call_" + std::to_string(call_id + c)).key("content").string(text()).end_object();
      }
      call_id += calls;
    }
    w.begin_object().key("role").string("user").key("content").string(text()).end_object();
    w.end_array();
    if (pick(2)) {
      w.key("tools").begin_array();
      for (const char* name : {"get_weather", "now"}) {
        w.begin_object().key("type").string("function").key("function").begin_object();
        w.key("name").string(name).key("description").string(text());
        w.key("parameters").begin_object().key("type").string("object").key("properties");
        w.begin_object().key("city").begin_object().key("type").string("string").end_object();
        w.end_object().end_object().end_object().end_object();
      }
      w.end_array();
      switch (pick(5)) {
        case 0:
          w.key("tool_choice").string("auto");
          break;
        case 1:
          w.key("tool_choice").string("none");
          break;
        case 2:
          w.key("tool_choice").string("required");
          break;
        case 3:
          w.key("tool_choice").begin_object().key("type").string("function").key("function");
          w.begin_object().key("name").string("now").end_object().end_object();
          break;
        default:
          break;
      }
      if (pick(2)) w.key("parallel_tool_calls").boolean(false);
    }
    w.key("max_tokens").integer(1 + pick(4000));
    if (pick(2)) w.key("temperature").number(pick(11) / 10.0);
    if (pick(2)) w.key("top_p").number(0.5);
    if (pick(2)) w.key("stop").begin_array().string("END").string(text()).end_array();
    if (pick(2)) w.key("user").string("u-" + std::to_string(pick(100)));
    if (pick(2)) w.key("stream").boolean(true);
    w.end_object();
    return body;
  }

  std::string anthropic() {
    std::string body;
    JsonWriter w(body);
    w.begin_object().key("model").string("claude").key("max_tokens").integer(1 + pick(4000));
    if (pick(2)) {
      w.key("system");
      if (pick(2)) {
        w.string(text());
      } else {
        w.begin_array();
        for (int i = 1 + pick(2); i > 0; --i) {
          w.begin_object().key("type").string("text").key("text").string(text()).end_object();
        }
        w.end_array();
      }
    }
    w.key("messages").begin_array();
    int call_id = 0, pending_calls = 0;
    const int turns = 1 + pick(5);
    for (int t = 0; t < turns; ++t) {
      w.begin_object().key("role").string("user").key("content");
      if (pending_calls == 0 && pick(2)) {
        w.string(text());
      } else {
        w.begin_array();
        for (int c = 0; c < pending_calls; ++c) {
          w.begin_object().key("type").string("tool_result").key("tool_use_id");
          w.string("toolu_" + std::to_string(call_id - pending_calls + c)).key("content");
          if (pick(2)) {
            w.string(text());
          } else {
            w.begin_array().begin_object().key("type").string("text").key("text").string(text());
            w.end_object().end_array();
          }
          w.end_object();
        }
        w.begin_object().key("type").string("text").key("text").string(text()).end_object();
        if (pick(2)) {
          w.begin_object().key("type").string("image").key("source").begin_object();
          if (pick(2)) {
            w.key("type").string("url").key("url").string("https://example.com/b.jpg");
          } else {
            w.key("type").string("base64").key("media_type").string("image/jpeg");
            w.key("data").string("/9j/AA==");
          }
          w.end_object().end_object();
        }
        w.end_array();
      }
      w.end_object();
      pending_calls = pick(4);
      w.begin_object().key("role").string("assistant").key("content").begin_array();
      if (pending_calls == 0 || pick(2)) {
        w.begin_object().key("type").string("text").key("text").string(text()).end_object();
      }
      for (int c = 0; c < pending_calls; ++c) {
        w.begin_object().key("type").string("tool_use");
        w.key("id").string("toolu_" + std::to_string(call_id++));
        w.key("name").string(pick(2) ? "get_weather" : "now").key("input");
        args(w);
        w.end_object();
      }
      w.end_array().end_object();
    }
    w.begin_object().key("role").string("user").key("content").begin_array();
    for (int c = 0; c < pending_calls; ++c) {
      w.begin_object().key("type").string("tool_result").key("tool_use_id");
      w.string("toolu_" + std::to_string(call_id - pending_calls + c));
      w.key("content").string(text()).end_object();
    }
    w.begin_object().key("type").string("text").key("text").string(text()).end_object();
    w.end_array().end_object();
    w.end_array();
    if (pick(2)) {
      w.key("tools").begin_array();
      for (const char* name : {"get_weather", "now"}) {
        w.begin_object().key("name").string(name).key("description").string(text());
        w.key("input_schema").begin_object().key("type").string("object").key("properties");
        w.begin_object().end_object().end_object().end_object();
      }
      w.end_array();
      const char* types[] = {"auto", "any", "tool", "none"};
      if (pick(2)) {
        const char* type = types[pick(4)];
        w.key("tool_choice").begin_object().key("type").string(type);
        if (std::string_view(type) == "tool") w.key("name").string("now");
        if (std::string_view(type) != "none" && pick(2)) {
          w.key("disable_parallel_tool_use").boolean(true);
        }
        w.end_object();
      }
    }
    if (pick(2)) w.key("temperature").number(pick(11) / 10.0);
    if (pick(2)) w.key("top_p").number(0.5);
    if (pick(2)) w.key("top_k").integer(40);
    if (pick(2)) w.key("stop_sequences").begin_array().string("END").end_array();
    if (pick(2)) w.key("metadata").begin_object().key("user_id").string("u-7").end_object();
    if (pick(2)) w.key("stream").boolean(true);
    w.end_object();
    return body;
  }

 private:
  std::mt19937 rng_;
};

// seed-defect: 004-P9 (a translated request translated back keeps system, tools and pairing)
TEST(RequestRoundTrip, OpenAiThroughAnthropicKeepsMeaning) {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    RequestGenerator gen(seed);
    const std::string original = gen.openai();
    auto there = openai_chat_to_anthropic(original, options());
    ASSERT_TRUE(there.ok) << seed << ": " << there.error_message << "\n" << original;
    auto back = anthropic_to_openai_chat(there.body, options());
    ASSERT_TRUE(back.ok) << seed << ": " << back.error_message << "\n" << there.body;
    ASSERT_EQ(normalize_openai(back.body), normalize_openai(original))
        << "seed " << seed << "\noriginal: " << original << "\nanthropic: " << there.body
        << "\nback: " << back.body;
  }
}

// seed-defect: 004-P9
TEST(RequestRoundTrip, AnthropicThroughOpenAiKeepsMeaning) {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    RequestGenerator gen(seed);
    const std::string original = gen.anthropic();
    auto there = anthropic_to_openai_chat(original, options());
    ASSERT_TRUE(there.ok) << seed << ": " << there.error_message << "\n" << original;
    auto back = openai_chat_to_anthropic(there.body, options());
    ASSERT_TRUE(back.ok) << seed << ": " << back.error_message << "\n" << there.body;
    ASSERT_EQ(normalize_anthropic(back.body), normalize_anthropic(original))
        << "seed " << seed << "\noriginal: " << original << "\nopenai: " << there.body
        << "\nback: " << back.body;
  }
}

}  // namespace
}  // namespace ringgate::providers
