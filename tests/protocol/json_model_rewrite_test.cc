#include "protocol/json_model_rewrite.h"

#include <gtest/gtest.h>

namespace ringgate::protocol {
namespace {

TEST(ModelRewrite, ReplacesOnlyTheTopLevelModel) {
  std::string out;
  ASSERT_TRUE(rewrite_model(
      R"({"messages":[{"role":"user","content":"model"}],"metadata":{"model":"x"},"model":"fast"})",
      "gpt-4o-mini", out));
  EXPECT_EQ(
      out,
      R"({"messages":[{"role":"user","content":"model"}],"metadata":{"model":"x"},"model":"gpt-4o-mini"})");
}

TEST(ModelRewrite, KeysInsideStringsAndEscapesDoNotConfuseIt) {
  std::string out;
  ASSERT_TRUE(
      rewrite_model(R"({ "a" : "\"model\":\"no\"" , "model" : "m\"1" , "z":1})", "new", out));
  EXPECT_EQ(out, R"({ "a" : "\"model\":\"no\"" , "model" : "new" , "z":1})");
}

TEST(ModelRewrite, EscapesTheNewName) {
  std::string out;
  ASSERT_TRUE(rewrite_model(R"({"model":"a"})", "we\"ird", out));
  EXPECT_EQ(out, R"({"model":"we\"ird"})");
}

TEST(ModelRewrite, RefusesWithoutATopLevelStringModel) {
  std::string out = "untouched";
  EXPECT_FALSE(rewrite_model(R"({"x":{"model":"a"}})", "b", out));
  EXPECT_FALSE(rewrite_model(R"({"model":5})", "b", out));
  EXPECT_FALSE(rewrite_model(R"([{"model":"a"}])", "b", out));
  EXPECT_FALSE(rewrite_model(R"({"model":"unterminated)", "b", out));
  EXPECT_EQ(out, "untouched");
}

TEST(ReplaceTopLevelValue, ReplacesAnyValueAndOnlyAtTheTopLevel) {
  std::string out;
  ASSERT_TRUE(replace_top_level_value(
      R"({"a":{"stream_options":1},"stream_options":{"x":"}{","y":[1,{"z":2}]},"b":3})",
      "stream_options", R"({"include_usage":true})", out));
  EXPECT_EQ(out, R"({"a":{"stream_options":1},"stream_options":{"include_usage":true},"b":3})");
  ASSERT_TRUE(replace_top_level_value(R"({"n": 12 ,"m":null})", "n", "7", out));
  EXPECT_EQ(out, R"({"n": 7 ,"m":null})");
  ASSERT_TRUE(replace_top_level_value(R"({"m":null})", "m", "[]", out));
  EXPECT_EQ(out, R"({"m":[]})");
  out = "kept";
  EXPECT_FALSE(replace_top_level_value(R"({"a":{"n":1}})", "n", "2", out));
  EXPECT_FALSE(replace_top_level_value(R"({"n":{"open":1)", "n", "2", out));
  EXPECT_EQ(out, "kept");
}

TEST(IncludeUsage, BecomesTheFirstMemberOfTheBody) {
  std::string out;
  ASSERT_TRUE(add_include_usage(R"( {"model":"m","stream":true})", out));
  EXPECT_EQ(out, R"( {"stream_options":{"include_usage":true},"model":"m","stream":true})");
  ASSERT_TRUE(add_include_usage("{ }", out));
  EXPECT_EQ(out, R"({"stream_options":{"include_usage":true} })");
}

TEST(IncludeUsage, ABodyThatIsNotAnObjectIsLeftAlone) {
  std::string out = "kept";
  EXPECT_FALSE(add_include_usage("[1]", out));
  EXPECT_FALSE(add_include_usage("  {", out));
  EXPECT_FALSE(add_include_usage("", out));
  EXPECT_EQ(out, "kept");
}

}  // namespace
}  // namespace ringgate::protocol
