// The pure parts of a translated Responses turn: response ids, previous_response_id, and joining
// the stored conversation with a response's output items.
#include "engine/gateway/responses_turn.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

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

}  // namespace
}  // namespace ringgate::gateway
