#include "protocol/error_body.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace ringgate::protocol {
namespace {

std::string string_at(simdjson::dom::parser& parser, const std::string& json,
                      std::string_view pointer) {
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  std::string_view s;
  EXPECT_EQ(doc.at_pointer(pointer).get(s), simdjson::SUCCESS) << pointer << " in " << json;
  return std::string(s);
}

TEST(ErrorBody, OpenAiShape) {
  simdjson::dom::parser parser;
  const std::string body =
      openai_error_body("Rate limit exceeded", "rate_limit_error", "rate_limit");
  EXPECT_EQ(body, R"({"error":{"message":"Rate limit exceeded","type":"rate_limit_error",)"
                  R"("param":null,"code":"rate_limit"}})");
  EXPECT_EQ(openai_error_body("m", "t"),
            R"({"error":{"message":"m","type":"t","param":null,"code":null}})");
}

TEST(ErrorBody, AnthropicShape) {
  EXPECT_EQ(anthropic_error_body("invalid_request_error", "max_tokens: Field required"),
            R"({"type":"error","error":{"type":"invalid_request_error",)"
            R"("message":"max_tokens: Field required"}})");
}

TEST(ErrorBody, EscapesHostileTextIntoValidJson) {
  simdjson::dom::parser parser;
  const std::string nasty = std::string("quote\" backslash\\ newline\n tab\t nul") + '\0' +
                            " bell\x07 del\x7f unicode \xC3\xA9 \xF0\x9F\x98\x80 end";
  const std::string body = openai_error_body(nasty, "invalid_request_error");
  EXPECT_EQ(string_at(parser, body, "/error/message"), nasty);
  EXPECT_EQ(string_at(parser, anthropic_error_body("t", nasty), "/error/message"), nasty);
}

TEST(ErrorBody, ReplacesInvalidUtf8) {
  simdjson::dom::parser parser;
  const std::string replacement = "\xEF\xBF\xBD";
  struct Case {
    std::string in, out;
  } cases[] = {
      {"a\xFF"
       "b",
       "a" + replacement + "b"},
      {"\xC3", replacement},                                                        // truncated
      {"\xC0\xAF", replacement + replacement},                                      // overlong
      {"\xED\xA0\x80", replacement + replacement + replacement},                    // surrogate
      {"\xF4\x90\x80\x80", replacement + replacement + replacement + replacement},  // > U+10FFFF
      {"ok \xE2\x82\xAC", "ok \xE2\x82\xAC"},
  };
  for (const Case& c : cases) {
    std::string out;
    append_json_escaped(out, c.in);
    EXPECT_EQ(out, c.out);
    EXPECT_EQ(string_at(parser, openai_error_body(c.in, "t"), "/error/message"), c.out);
  }
}

TEST(ErrorBody, ControlCharactersUseShortOrUnicodeEscapes) {
  std::string out;
  append_json_escaped(out, std::string("\b\f\n\r\t\x01\x1f", 7));
  EXPECT_EQ(out, "\\b\\f\\n\\r\\t\\u0001\\u001f");
}

TEST(ErrorBody, StatusReasons) {
  EXPECT_EQ(status_reason(200), "OK");
  EXPECT_EQ(status_reason(413), "Content Too Large");
  EXPECT_EQ(status_reason(429), "Too Many Requests");
  EXPECT_EQ(status_reason(431), "Request Header Fields Too Large");
  EXPECT_EQ(status_reason(502), "Bad Gateway");
  EXPECT_EQ(status_reason(799), "Unknown");
}

}  // namespace
}  // namespace ringgate::protocol
