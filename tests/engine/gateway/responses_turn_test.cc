// The pure parts of a translated Responses turn: response ids, previous_response_id, and joining
// the stored conversation with a response's output items.
#include "engine/gateway/responses_turn.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "cache/response_store.h"

namespace ringgate::gateway {
namespace {

TEST(ResponsesTurn, ResponseIdsAreRandomAndWellFormed) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = new_response_id();
    ASSERT_EQ(id.size(), 5u + 32u) << id;
    EXPECT_EQ(id.substr(0, 5), "resp_");
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 5), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(ResponsesTurn, PreviousResponseIdIsReadOrReportedMalformed) {
  simdjson::dom::parser parser;
  bool malformed = true;
  EXPECT_EQ(previous_response_id(parser.parse(std::string(R"({"previous_response_id":"resp_1"})")),
                                 malformed),
            "resp_1");
  EXPECT_FALSE(malformed);
  EXPECT_EQ(previous_response_id(parser.parse(std::string(R"({"input":"x"})")), malformed), "");
  EXPECT_FALSE(malformed);
  EXPECT_EQ(previous_response_id(parser.parse(std::string(R"({"previous_response_id":null})")),
                                 malformed),
            "");
  EXPECT_FALSE(malformed);
  for (const char* bad : {R"({"previous_response_id":7})", R"({"previous_response_id":""})"}) {
    previous_response_id(parser.parse(std::string(bad)), malformed);
    EXPECT_TRUE(malformed) << bad;
  }
}

TEST(ResponsesTurn, ItemArraysJoinInOrder) {
  EXPECT_EQ(join_item_arrays(R"([{"a":1},{"b":2}])", R"([{"c":3}])"),
            R"([{"a":1},{"b":2},{"c":3}])");
  EXPECT_EQ(join_item_arrays("", R"([{"c":3}])"), R"([{"c":3}])");
  EXPECT_EQ(join_item_arrays("[ ]", "[]"), "[]");
  EXPECT_EQ(join_item_arrays("[\n{\"a\":1}\n]", ""), R"([{"a":1}])");
  simdjson::dom::parser parser;
  simdjson::dom::element joined;
  ASSERT_EQ(parser.parse(join_item_arrays(R"(["x",[1,2]])", R"([{"y":"]"}])")).get(joined),
            simdjson::SUCCESS);
  EXPECT_EQ(simdjson::dom::array(joined).size(), 3u);
}

TEST(ResponsesTurn, ReferencedItemsComeFromTheTenantsOwnConversations) {
  cache::ResponseStore store(cache::ResponseStoreLimits{});
  store.put(
      "alice", "resp_ab12",
      R"([{"role":"user","content":"hi"},)"
      R"({"id":"msg_ab12_0","type":"message","role":"assistant","content":[]},)"
      R"({"id":"fc_ab12_1","type":"function_call","call_id":"c","name":"f","arguments":"{}"}])",
      1000);
  store.put("alice", "resp_cd",
            R"([{"id":"we\"ird_cd_0","type":"message","role":"user","content":"q"}])", 1000);
  simdjson::dom::parser parser;
  const std::string body =
      R"({"input":[{"type":"item_reference","id":"fc_ab12_1"},)"
      R"({"role":"user","content":"x"},{"type":"item_reference","id":"msg_ab12_0"},)"
      R"({"type":"item_reference","id":"msg_zz_0"},{"type":"item_reference","id":"we\"ird_cd_0"}]})";
  const std::string found = referenced_items(parser.parse(body), store, "alice", 2000);
  simdjson::dom::parser check;
  simdjson::dom::object refs;
  ASSERT_EQ(check.parse(found).get(refs), simdjson::SUCCESS) << found;
  EXPECT_EQ(refs.size(), 3u) << found;
  std::string_view type;
  ASSERT_EQ(refs["fc_ab12_1"]["type"].get(type), simdjson::SUCCESS);
  EXPECT_EQ(type, "function_call");
  ASSERT_EQ(refs["msg_ab12_0"]["type"].get(type), simdjson::SUCCESS);
  EXPECT_EQ(type, "message");
  EXPECT_EQ(refs["msg_zz_0"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(refs["we\"ird_cd_0"].error(), simdjson::SUCCESS);
  // Another tenant finds nothing, even with the right ids.
  EXPECT_EQ(referenced_items(parser.parse(body), store, "bob", 2000), "");
  EXPECT_EQ(
      referenced_items(parser.parse(std::string(R"({"input":"text"})")), store, "alice", 2000), "");
}

}  // namespace
}  // namespace ringgate::gateway
