#include "protocol/json_chat_request.h"

#include <gtest/gtest.h>

#include <string>

namespace ringgate::protocol {
namespace {

class JsonChatRequest : public ::testing::Test {
 protected:
  bool chat(std::string_view body) { return parse_chat_request(parser_, body, view_, err_); }
  bool model_only(std::string_view body) { return parse_model_only(parser_, body, view_, err_); }
  bool messages(std::string_view body) {
    return parse_messages_request(parser_, body, view_, err_);
  }
  void expect_chat_error(std::string_view body, std::string_view field) {
    EXPECT_FALSE(chat(body)) << body;
    EXPECT_NE(err_.message.find(field), std::string::npos) << body << " -> " << err_.message;
  }

  simdjson::dom::parser parser_;
  ChatRequestView view_;
  JsonError err_;
};

TEST_F(JsonChatRequest, ResponsesRequestsReadMaxOutputTokens) {
  ASSERT_TRUE(parse_responses_request(
      parser_, R"({"model":"m","input":"hi","stream":true,"max_output_tokens":64})", view_, err_))
      << err_.message;
  EXPECT_EQ(view_.model, "m");
  EXPECT_TRUE(view_.stream);
  EXPECT_EQ(view_.max_tokens, 64);
  EXPECT_FALSE(
      parse_responses_request(parser_, R"({"model":"m","max_output_tokens":0})", view_, err_));
  EXPECT_NE(err_.message.find("max_output_tokens"), std::string::npos);
}

TEST_F(JsonChatRequest, ReadsRoutingFields) {
  ASSERT_TRUE(chat(R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],)"
                   R"("stream":true,"stream_options":{"include_usage":true},"max_tokens":256,)"
                   R"("temperature":0.2})"))
      << err_.message;
  EXPECT_EQ(view_.model, "gpt-4o-mini");
  EXPECT_TRUE(view_.stream);
  EXPECT_TRUE(view_.include_usage);
  EXPECT_EQ(view_.max_tokens, 256);
  EXPECT_TRUE(view_.has_messages);
  // The parsed document stays available so nothing downstream parses the body again.
  double temperature = 0;
  ASSERT_EQ(view_.root["temperature"].get(temperature), simdjson::SUCCESS);
  EXPECT_DOUBLE_EQ(temperature, 0.2);
}

TEST_F(JsonChatRequest, DefaultsWhenOptionalFieldsAreAbsentOrNull) {
  ASSERT_TRUE(chat(R"({"model":"m","messages":[],"stream":null,"max_tokens":null})"));
  EXPECT_FALSE(view_.stream);
  EXPECT_FALSE(view_.include_usage);
  EXPECT_FALSE(view_.max_tokens.has_value());
  EXPECT_FALSE(view_.has_messages);
}

TEST_F(JsonChatRequest, TakesTheLargerOfBothTokenLimits) {
  ASSERT_TRUE(chat(R"({"model":"m","messages":[],"max_completion_tokens":900})"));
  EXPECT_EQ(view_.max_tokens, 900);
  ASSERT_TRUE(chat(R"({"model":"m","messages":[],"max_tokens":10,"max_completion_tokens":900})"));
  EXPECT_EQ(view_.max_tokens, 900);
  ASSERT_TRUE(chat(R"({"model":"m","messages":[],"max_tokens":1000,"max_completion_tokens":9})"));
  EXPECT_EQ(view_.max_tokens, 1000);
}

TEST_F(JsonChatRequest, ErrorsNameTheField) {
  expect_chat_error("", "not valid JSON");
  expect_chat_error("{\"model\":", "not valid JSON");
  expect_chat_error("[1,2]", "JSON object");
  expect_chat_error(R"({"messages":[]})", "'model'");
  expect_chat_error(R"({"model":"","messages":[]})", "'model'");
  expect_chat_error(R"({"model":42,"messages":[]})", "'model'");
  expect_chat_error(R"({"model":"m","messages":[],"stream":"yes"})", "'stream'");
  expect_chat_error(R"({"model":"m","messages":[],"stream_options":true})", "'stream_options'");
  expect_chat_error(R"({"model":"m","messages":[],"stream_options":{"include_usage":1}})",
                    "include_usage");
  expect_chat_error(R"({"model":"m","messages":[],"max_tokens":0})", "'max_tokens'");
  expect_chat_error(R"({"model":"m","messages":[],"max_tokens":-5})", "'max_tokens'");
  expect_chat_error(R"({"model":"m","messages":[],"max_tokens":10.5})", "'max_tokens'");
  expect_chat_error(R"({"model":"m","messages":[],"max_tokens":"10"})", "'max_tokens'");
  expect_chat_error(R"({"model":"m","messages":[],"max_completion_tokens":1e30})",
                    "'max_completion_tokens'");
  expect_chat_error(R"({"model":"m"})", "'messages'");
  expect_chat_error(R"({"model":"m","messages":{}})", "'messages'");
}

TEST_F(JsonChatRequest, ModelOnlyIgnoresChatFields) {
  ASSERT_TRUE(model_only(R"({"model":"text-embedding-3-small","input":"hello"})"));
  EXPECT_EQ(view_.model, "text-embedding-3-small");
  EXPECT_FALSE(model_only(R"({"input":"hello"})"));
  EXPECT_FALSE(model_only(R"({"model":"m","stream":1})"));
}

TEST_F(JsonChatRequest, AnthropicMessagesRequireMaxTokens) {
  ASSERT_TRUE(messages(R"({"model":"claude-3-5-haiku-latest","max_tokens":1024,)"
                       R"("system":"be brief","messages":[{"role":"user","content":"Hi"}],)"
                       R"("stream":true})"))
      << err_.message;
  EXPECT_EQ(view_.model, "claude-3-5-haiku-latest");
  EXPECT_EQ(view_.max_tokens, 1024);
  EXPECT_TRUE(view_.stream);
  EXPECT_TRUE(view_.has_messages);
  EXPECT_FALSE(messages(R"({"model":"c","messages":[]})"));
  EXPECT_NE(err_.message.find("'max_tokens'"), std::string::npos);
  EXPECT_FALSE(messages(R"({"model":"c","max_tokens":5})"));
  EXPECT_NE(err_.message.find("'messages'"), std::string::npos);
}

// A repeated top-level key means two things: the gateway used to route and cap on the first,
// upstream parsers and the translators read the last. Names compare unescaped.
TEST_F(JsonChatRequest, DuplicateTopLevelKeyIsRefusedNamingIt) {
  expect_chat_error(R"({"model":"cheap","messages":[],"model":"expensive"})",
                    "duplicate key 'model'");
  EXPECT_FALSE(model_only(R"({"model":"a","input":"x","input":"y"})"));
  EXPECT_NE(err_.message.find("duplicate key 'input'"), std::string::npos) << err_.message;
  EXPECT_FALSE(messages(R"({"model":"c","max_tokens":5,"messages":[],"system":"a","system":"b"})"));
  EXPECT_NE(err_.message.find("duplicate key 'system'"), std::string::npos) << err_.message;
}

TEST_F(JsonChatRequest, DuplicateKeyWithEscapedNameIsRefused) {
  expect_chat_error(R"({"model":"cheap","messages":[],"mod\u0065l":"expensive"})",
                    "duplicate key 'model'");
  expect_chat_error(R"({"m\u006fdel":"cheap","messages":[],"model":"expensive"})",
                    "duplicate key 'model'");
  // Distinct after unescaping: accepted.
  EXPECT_TRUE(chat(R"({"model":"m","messages":[],"mod\u0065ls":1})")) << err_.message;
}

TEST_F(JsonChatRequest, DuplicateTokenLimitIsRefused) {
  expect_chat_error(R"({"model":"m","messages":[],"max_tokens":10,"max_tokens":100000})",
                    "duplicate key 'max_tokens'");
  expect_chat_error(
      R"({"model":"m","messages":[],"max_completion_tokens":1,"max_completion_tokens":9})",
      "duplicate key 'max_completion_tokens'");
  EXPECT_FALSE(messages(R"({"model":"c","max_tokens":5,"messages":[],"max_tokens":99999})"));
  EXPECT_NE(err_.message.find("duplicate key 'max_tokens'"), std::string::npos) << err_.message;
}

// stream_options is read by the gateway (include_usage), so its keys are checked too.
TEST_F(JsonChatRequest, DuplicateInStreamOptionsIsRefused) {
  expect_chat_error(
      R"({"model":"m","messages":[],"stream_options":{"include_usage":false,"include_usage":true}})",
      "duplicate key 'stream_options.include_usage'");
}

TEST_F(JsonChatRequest, NestedDuplicatesTheGatewayDoesNotReadAreAllowed) {
  ASSERT_TRUE(chat(R"({"model":"m","messages":[{"role":"user","role":"system","content":"x"}],)"
                   R"("metadata":{"a":1,"a":2},"response_format":{"type":"x","type":"y"}})"))
      << err_.message;
  ASSERT_TRUE(
      messages(R"({"model":"c","max_tokens":5,"messages":[{"content":"a","content":"b"}]})"))
      << err_.message;
  ASSERT_TRUE(model_only(R"({"model":"e","input":{"k":1,"k":2}})")) << err_.message;
}

// Many keys take the path past the in-place table; the check stays exact there.
TEST_F(JsonChatRequest, DuplicateAmongManyKeysIsFound) {
  std::string body = R"({"model":"m","messages":[])";
  for (int i = 0; i < 500; ++i) body += ",\"k" + std::to_string(i) + "\":0";
  ASSERT_TRUE(chat(body + "}")) << err_.message;
  expect_chat_error(body + ",\"k250\":1}", "duplicate key 'k250'");
  expect_chat_error(body + ",\"model\":\"x\"}", "duplicate key 'model'");
}

// The key is echoed, but never more than a bounded prefix of it.
TEST_F(JsonChatRequest, LongDuplicateKeyIsNamedByItsPrefix) {
  const std::string key(10000, 'k');
  const std::string body = R"({"model":"m","messages":[],")" + key + R"(":1,")" + key + R"(":2})";
  EXPECT_FALSE(chat(body));
  EXPECT_NE(err_.message.find("duplicate key 'kkkk"), std::string::npos) << err_.message;
  EXPECT_LT(err_.message.size(), 200u);
}

TEST_F(JsonChatRequest, ParsesInPlaceWhenCallerGuaranteesPadding) {
  std::string storage = R"({"model":"m","messages":[1]})";
  const size_t len = storage.size();
  storage.append(simdjson::SIMDJSON_PADDING, ' ');
  ASSERT_TRUE(parse_chat_request(parser_, std::string_view(storage).substr(0, len), view_, err_,
                                 simdjson::SIMDJSON_PADDING));
  EXPECT_EQ(view_.model, "m");
  EXPECT_TRUE(view_.has_messages);
}

TEST_F(JsonChatRequest, ParserIsReusableAcrossRequests) {
  for (int i = 0; i < 3; ++i) {
    const std::string body = R"({"model":"m)" + std::to_string(i) + R"(","messages":[]})";
    ASSERT_TRUE(chat(body));
    EXPECT_EQ(view_.model, std::string("m").append(std::to_string(i)));
  }
  EXPECT_FALSE(chat("nope"));
  ASSERT_TRUE(chat(R"({"model":"again","messages":[]})"));
  EXPECT_EQ(view_.model, "again");
}

}  // namespace
}  // namespace ringgate::protocol
