// Tool-call history repair: golden transcripts of both APIs (<name>.in.json, the repaired
// <name>.out.json and the x-ringgate-repaired value in <name>.header; RINGGATE_UPDATE_GOLDEN=1
// rewrites them), the rules both APIs enforce checked on every output, idempotence, the id
// mapping's stability, and the response direction.

#include "providers/tool_history_repair.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "providers/request_translator.h"
#include "providers/response_translator.h"
#include "tests/providers/translation_test_support.h"

namespace ringgate::providers {
namespace {

namespace fs = std::filesystem;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using testing::json_equivalent;
using testing::read_file;

std::string_view str(element e, const char* key) {
  std::string_view s;
  return e[key].get(s) ? std::string_view() : s;
}

// The rules of both APIs on a history (the mock upstream enforces them with the real messages):
// ids portable and unique; an assistant turn's calls answered once each, by results that come
// right after it, ahead of anything else; no result that answers nothing.
std::string chat_rule_broken(element request) {
  std::vector<element> m;
  for (element e : array(request["messages"])) m.push_back(e);
  std::set<std::string_view> ids;
  for (size_t i = 0; i < m.size(); ++i) {
    if (str(m[i], "role") == "tool")
      return "a tool message answers no call at " + std::to_string(i);
    array calls;
    if (str(m[i], "role") != "assistant" || m[i]["tool_calls"].get(calls)) continue;
    std::set<std::string_view> open;
    for (element c : calls) {
      const auto id = str(c, "id");
      if (!is_portable_tool_id(id)) return "id not portable: " + std::string(id);
      if (!ids.insert(id).second) return "id not unique: " + std::string(id);
      open.insert(id);
      std::string_view args = str(c["function"].value_unsafe(), "arguments");
      if (args.empty()) return "empty arguments";
    }
    size_t k = i + 1;
    // Consecutive assistant messages are one Anthropic turn.
    while (k < m.size() && str(m[k], "role") == "assistant" && m[k]["tool_calls"].error()) ++k;
    for (; k < m.size() && str(m[k], "role") == "tool"; ++k) {
      if (!open.erase(str(m[k], "tool_call_id"))) return "result answers no open call";
    }
    if (!open.empty()) return "unanswered call " + std::string(*open.begin());
    i = k - 1;
  }
  return {};
}

std::string messages_rule_broken(element request) {
  struct Turn {
    std::string_view role;
    std::vector<element> blocks;
    bool first_string = false;
  };
  std::vector<Turn> turns;
  for (element m : array(request["messages"])) {
    const auto role = str(m, "role");
    if (turns.empty() || turns.back().role != role) turns.push_back({role, {}, false});
    array content;
    if (m["content"].get(content)) continue;
    if (content.size() == 0) return "empty content";
    for (element b : content) turns.back().blocks.push_back(b);
  }
  std::set<std::string_view> ids;
  for (size_t t = 0; t < turns.size(); ++t) {
    std::set<std::string_view> open;
    if (turns[t].role == "assistant") {
      for (element b : turns[t].blocks) {
        if (str(b, "type") != "tool_use") continue;
        const auto id = str(b, "id");
        if (!is_portable_tool_id(id)) return "id not portable: " + std::string(id);
        if (!ids.insert(id).second) return "id not unique: " + std::string(id);
        open.insert(id);
      }
      if (open.empty()) continue;
      if (t + 1 == turns.size()) return "unanswered calls at the end";
      bool other = false;
      for (element b : turns[t + 1].blocks) {
        if (str(b, "type") != "tool_result") {
          other = true;
          continue;
        }
        if (other) return "a result after other content";
        if (!open.erase(str(b, "tool_use_id"))) return "result answers no open call";
      }
      if (!open.empty()) return "unanswered call " + std::string(*open.begin());
      ++t;
    } else {
      for (element b : turns[t].blocks) {
        if (str(b, "type") == "tool_result") return "a result answers no call";
      }
    }
  }
  return {};
}

struct Format {
  std::string_view dir;
  ToolHistoryRepair (*repair)(element);
  std::string (*rule_broken)(element);
  TranslateResult (*translate)(std::string_view, const TranslateOptions&);
};

const Format kChat{"repair_openai_chat", repair_chat_tool_history, chat_rule_broken,
                   openai_chat_to_anthropic};
const Format kMessages{"repair_anthropic_messages", repair_messages_tool_history,
                       messages_rule_broken, anthropic_to_openai_chat};

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// name.in.json -> name + suffix, beside it.
fs::path root_path(const fs::path& in, const std::string& name, const char* suffix) {
  return in.parent_path() / (name + suffix);
}

void check_goldens(const Format& f, size_t min_cases) {
  const fs::path root = fs::path(RINGGATE_GOLDEN_DIR) / f.dir;
  size_t n = 0;
  std::vector<fs::path> inputs;
  for (const auto& e : fs::directory_iterator(root)) {
    const std::string file = e.path().filename().string();
    if (file.size() > 8 && file.substr(file.size() - 8) == ".in.json") inputs.push_back(e.path());
  }
  std::sort(inputs.begin(), inputs.end());
  for (const fs::path& in : inputs) {
    const std::string name = in.filename().string().substr(0, in.filename().string().size() - 8);
    SCOPED_TRACE(std::string(f.dir) + "/" + name);
    const std::string input = read_file(in.string());
    simdjson::dom::parser parser;
    element root;
    ASSERT_FALSE(parser.parse(input).get(root));
    const ToolHistoryRepair r = f.repair(root);
    const std::string body = r.repaired ? r.body : input;
    const fs::path out = root_path(in, name, ".out.json"), header = root_path(in, name, ".header");
    if (testing::update_golden()) {
      testing::write_file(out.string(), body.back() == '\n' ? body : body + "\n");
      testing::write_file(header.string(), r.header + "\n");
    }
    EXPECT_TRUE(json_equivalent(body, read_file(out.string())));
    EXPECT_EQ(r.header, trimmed(read_file(header.string())));
    EXPECT_EQ(r.repaired, !r.header.empty());

    // Whatever came in, what goes on obeys both APIs' rules, and needs no second repair.
    simdjson::dom::parser again;
    element repaired;
    ASSERT_FALSE(again.parse(body).get(repaired));
    EXPECT_EQ(f.rule_broken(repaired), "");
    EXPECT_FALSE(f.repair(repaired).repaired);

    // The translator repairs the same way and reports it.
    TranslateOptions options;
    options.default_max_tokens = 1024;
    const TranslateResult t = f.translate(input, options);
    ASSERT_TRUE(t.ok) << t.error_message;
    EXPECT_EQ(t.tool_history_repairs, r.header);
    ++n;
  }
  EXPECT_GE(n, min_cases);
}

TEST(ToolHistoryRepair, OpenAiChatGoldens) { check_goldens(kChat, 9); }
TEST(ToolHistoryRepair, AnthropicMessagesGoldens) { check_goldens(kMessages, 9); }

TEST(ToolHistoryRepair, PortableIdsAreBothApisIntersection) {
  EXPECT_TRUE(is_portable_tool_id("call_abc-123"));
  EXPECT_TRUE(is_portable_tool_id("toolu_01A09q90qw90lq917835lq9"));
  EXPECT_TRUE(is_portable_tool_id(std::string(40, 'a')));
  EXPECT_FALSE(is_portable_tool_id(std::string(41, 'a')));  // OpenAI's limit
  EXPECT_FALSE(is_portable_tool_id(""));
  EXPECT_FALSE(is_portable_tool_id("functions.get_weather:0"));  // Anthropic's pattern
  EXPECT_FALSE(is_portable_tool_id("call 1"));
  EXPECT_FALSE(is_portable_tool_id("caf\xc3\xa9"));
}

// The mapping is part of the wire format: every node, build and restart must agree, so that
// later turns (and prompt caches) see the same id. Pinned.
TEST(ToolHistoryRepair, MappedIdsArePinnedAndPortable) {
  const MappedToolId a = map_tool_id("functions.get_weather:0");
  EXPECT_EQ(a.view(), map_tool_id("functions.get_weather:0").view());
  EXPECT_TRUE(is_portable_tool_id(a.view()));
  EXPECT_EQ(a.view().substr(0, 3), "rg_");
  EXPECT_EQ(a.view(), "rg_7cc5b6d28f8470f2dff9e57672618a5c");
  EXPECT_NE(map_tool_id("call_1", 1).view(), map_tool_id("call_1").view());
  EXPECT_NE(map_tool_id("call_1", 1).view(), map_tool_id("call_1", 2).view());
  MappedToolId storage;
  const std::string portable = "call_ok";
  EXPECT_EQ(portable_tool_id(portable, storage).data(), portable.data());  // no copy, no change
  EXPECT_EQ(portable_tool_id("a.b", storage), map_tool_id("a.b").view());
}

TEST(ToolHistoryRepair, MalformedHistoriesAreLeftToTheTranslator) {
  simdjson::dom::parser parser;
  for (
      std::string_view body : {
          R"({"messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{}}]}]})",
          R"({"messages":[{"role":"tool","content":"x"}]})",
          R"({"messages":"no"})",
          R"([1,2])",
          // Repeated keys the plan reads (found by the fuzzer): the writer would disagree.
          R"({"messages":[{"role":"tool","tool_call_id":"x","content":"a"}],"messages":[]})",
          R"({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"x"}],)"
          R"("content":[]}]})",
          R"({"messages":[{"role":"assistant","tool_calls":[],"tool_calls":[{"id":"a.b",)"
          R"("function":{}}]}]})",
      }) {
    SCOPED_TRACE(body);
    element root;
    ASSERT_FALSE(parser.parse(body).get(root));
    EXPECT_FALSE(repair_chat_tool_history(root).repaired);
    EXPECT_FALSE(repair_messages_tool_history(root).repaired);
  }
}

TEST(ToolHistoryRepair, HeaderEscapesIdsAndStaysBounded) {
  std::string body = R"({"messages":[)";
  for (int i = 0; i < 500; ++i) {
    if (i) body += ',';
    body +=
        R"({"role":"tool","tool_call_id":"lost;id,)" + std::to_string(i) + R"(","content":"x"})";
  }
  body += R"(,{"role":"user","content":"hi"}]})";
  simdjson::dom::parser parser;
  element root;
  ASSERT_FALSE(parser.parse(body).get(root));
  const ToolHistoryRepair r = repair_chat_tool_history(root);
  ASSERT_TRUE(r.repaired);
  EXPECT_LE(r.header.size(), kMaxHeaderBytes);
  EXPECT_EQ(r.header.rfind("dropped_orphan_result=lost%3Bid%2C0,lost%3Bid%2C1,", 0), 0u);
  EXPECT_NE(r.header.find("; more="), std::string::npos);
  EXPECT_EQ(r.header.find_first_of("\r\n"), std::string::npos);
  EXPECT_TRUE(json_equivalent(r.body, R"({"messages":[{"role":"user","content":"hi"}]})"));
}

// Ids an upstream mints reach the client portable, so its next request is valid for either API.
TEST(ToolHistoryRepair, ResponsesGiveClientsPortableIds) {
  const TranslateResult to_anthropic = openai_response_to_anthropic(
      R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{
          "index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,
          "tool_calls":[{"id":"functions.get_weather:0","type":"function","function":{
          "name":"get_weather","arguments":"{}"}},{"type":"function","function":{
          "name":"get_weather","arguments":"{}"}}]}}]})",
      ResponseOptions{});
  ASSERT_TRUE(to_anthropic.ok) << to_anthropic.error_message;
  simdjson::dom::parser parser;
  element root;
  ASSERT_FALSE(parser.parse(to_anthropic.body).get(root));
  std::vector<std::string> ids;
  for (element b : array(root["content"])) ids.emplace_back(str(b, "id"));
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], map_tool_id("functions.get_weather:0").view());
  EXPECT_EQ(ids[1], "toolu_chatcmpl-11");  // a server that sent none: stable, per call
  const TranslateResult to_openai = anthropic_response_to_openai(
      R"({"id":"msg_1","type":"message","role":"assistant","model":"m","stop_reason":"tool_use",
          "content":[{"type":"tool_use","id":"x.y","name":"f","input":{}}],
          "usage":{"input_tokens":1,"output_tokens":1}})",
      ResponseOptions{});
  ASSERT_TRUE(to_openai.ok) << to_openai.error_message;
  EXPECT_NE(to_openai.body.find(std::string(map_tool_id("x.y").view())), std::string::npos);
}

}  // namespace
}  // namespace ringgate::providers
