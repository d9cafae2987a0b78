// StreamedStringField against simdjson: fed whole, at every split point and byte by byte, the
// decoded member must equal what a full parse of the same text finds.

#include "providers/streamed_string_field.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

namespace ringgate::providers {
namespace {

std::string parsed_input(const std::string& json) {
  simdjson::dom::parser parser;
  std::string_view s;
  EXPECT_FALSE(parser.parse(json)["input"].get_string().get(s)) << json;
  return std::string(s);
}

// Feeds `json` cut at `cuts` and returns the decoded text; `ok` and `complete` report the end.
std::string decode(const std::string& json, const std::vector<size_t>& cuts, bool& ok,
                   bool& complete) {
  StreamedStringField field;
  std::string decoded;
  size_t begin = 0;
  for (size_t cut : cuts) {
    field.feed(std::string_view(json).substr(begin, cut - begin), decoded);
    begin = cut;
  }
  field.feed(std::string_view(json).substr(begin), decoded);
  ok = field.ok();
  complete = field.complete();
  return decoded;
}

TEST(StreamedStringField, DecodesLikeAFullParseWhereverTheFragmentsEnd) {
  const std::vector<std::string> cases = {
      R"({"input":"plain"})",
      R"( { "input" : "a\"b\\c\/d\n\t\r\b\f" } )",
      R"({"input":"caf\u00e9 \u20ac \ud83d\ude00 \u0041"})",
      R"({"other":{"input":"not this","x":[1,{"y":"}"}]},"n":-1.5,"t":true,"input":"this"})",
      R"({"input":"first","input":"second"})",
      R"({"input":""})",
      "{\"input\":\"*** Begin Patch\\n*** Update File: a.py\\n@@\\n-x\\n+y\\n*** End Patch\"}",
  };
  for (const auto& json : cases) {
    SCOPED_TRACE(json);
    const std::string expected = parsed_input(json);
    bool ok = false, complete = false;
    EXPECT_EQ(decode(json, {}, ok, complete), expected);
    EXPECT_TRUE(ok && complete);
    std::vector<size_t> every_byte;
    for (size_t i = 1; i < json.size(); ++i) {
      every_byte.push_back(i);
      ASSERT_EQ(decode(json, {i}, ok, complete), expected) << "cut at " << i;
      EXPECT_TRUE(ok && complete);
    }
    EXPECT_EQ(decode(json, every_byte, ok, complete), expected);
    EXPECT_TRUE(ok && complete);
  }
}

TEST(StreamedStringField, OtherShapesFailOverToTheCallersParse) {
  for (std::string json : {R"({"input":42})", R"(["input"])", R"("input")", R"({"inp\u0075t":"x"})",
                           R"({"input":"\ud800"})", R"({"input":"\x"})", "{\"input\":\"a\nb\"}",
                           R"({"input":"a"} trailing)"}) {
    bool ok = true, complete = false;
    decode(json, {}, ok, complete);
    EXPECT_FALSE(ok) << json;
  }
  bool ok = false, complete = true;
  decode(R"({"command":"ls"})", {}, ok, complete);
  EXPECT_TRUE(ok);
  EXPECT_FALSE(complete);  // no input member: the caller parses the whole arguments
}

}  // namespace
}  // namespace ringgate::providers
