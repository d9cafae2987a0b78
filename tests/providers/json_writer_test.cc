#include "providers/json_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/providers/translation_test_support.h"

namespace ringgate::providers {
namespace {

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  append_json_escaped(out, std::string_view("a\"b\\c\n\t\x01\x1f\0", 10));
  EXPECT_EQ(out, "a\\\"b\\\\c\\n\\t\\u0001\\u001f\\u0000");
}

TEST(JsonWriter, KeepsUtf8AsIs) {
  std::string out;
  append_json_escaped(out, "h\xC3\xA9llo \xE2\x82\xAC");
  EXPECT_EQ(out, "h\xC3\xA9llo \xE2\x82\xAC");
}

TEST(JsonWriter, InsertsCommasAtEveryLevel) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("a").integer(-1).key("b").begin_array().string("x").boolean(true).null();
  w.begin_object().end_object().end_array().key("c").number(0.5).key("d").unsigned_integer(
      18446744073709551615ull);
  w.end_object();
  EXPECT_EQ(out, R"({"a":-1,"b":["x",true,null,{}],"c":0.5,"d":18446744073709551615})");
}

TEST(JsonWriter, StringPiecesFormOneEscapedString) {
  std::string out;
  JsonWriter w(out);
  w.begin_array().begin_string().string_piece("data:").string_piece("a\"b").end_string();
  w.string("z").end_array();
  EXPECT_EQ(out, R"(["data:a\"b","z"])");
}

TEST(JsonWriter, ReserializesParsedDocumentsWithTheSameMeaning) {
  const std::string doc =
      R"({"s":"line\nbreak \u00e9 \ud83d\ude00","n":[1,-2,3.25,1e300,18446744073709551615],)"
      R"("o":{"nested":{"deep":[[],{}]}},"t":true,"f":false,"z":null})";
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_FALSE(parser.parse(doc).get(root));
  std::string out;
  JsonWriter(out).element(root);
  EXPECT_TRUE(testing::json_equivalent(out, doc));
}

}  // namespace
}  // namespace ringgate::providers
