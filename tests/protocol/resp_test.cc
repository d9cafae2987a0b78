#include "protocol/resp.h"

#include <gtest/gtest.h>

namespace ringgate::protocol {
namespace {

using Type = RespValue::Type;

RespValue integer(int64_t n) {
  RespValue v;
  v.type = Type::kInteger;
  v.integer = n;
  return v;
}

TEST(RespCommand, EncodesArrayOfBulkStrings) {
  std::string out;
  append_resp_command(out, {"EVALSHA", "ab", "1", "k\r\n"});
  EXPECT_EQ(out, "*4\r\n$7\r\nEVALSHA\r\n$2\r\nab\r\n$1\r\n1\r\n$3\r\nk\r\n\r\n");
}

TEST(RespReader, ReadsEveryType) {
  RespReader r;
  r.feed(
      "+OK\r\n-NOSCRIPT No matching script\r\n:-42\r\n$5\r\nhe\r\no\r\n$-1\r\n*-1\r\n$0\r\n\r\n");
  RespValue v;
  ASSERT_EQ(r.next(v), ParseStatus::kComplete);
  EXPECT_EQ(v.type, Type::kSimple);
  EXPECT_EQ(v.text, "OK");
  ASSERT_EQ(r.next(v), ParseStatus::kComplete);
  EXPECT_TRUE(v.is_error());
  EXPECT_EQ(v.text, "NOSCRIPT No matching script");
  ASSERT_EQ(r.next(v), ParseStatus::kComplete);
  EXPECT_EQ(v, integer(-42));
  ASSERT_EQ(r.next(v), ParseStatus::kComplete);
  EXPECT_EQ(v.type, Type::kBulk);
  EXPECT_EQ(v.text, "he\r\no");  // bulk strings may hold CRLF
  ASSERT_EQ(r.next(v), ParseStatus::kComplete);
  EXPECT_EQ(v.type, Type::kNull);
  ASSERT_EQ(r.next(v), ParseStatus::kComplete);
  EXPECT_EQ(v.type, Type::kNull);
  ASSERT_EQ(r.next(v), ParseStatus::kComplete);
  EXPECT_EQ(v.type, Type::kBulk);
  EXPECT_EQ(v.text, "");
  EXPECT_EQ(r.next(v), ParseStatus::kNeedMore);
}

TEST(RespReader, NestedArraySplitAtEveryByte) {
  const std::string wire = "*3\r\n:1\r\n*2\r\n$3\r\nabc\r\n:7\r\n+x\r\n";
  RespReader r;
  RespValue v;
  for (size_t i = 0; i + 1 < wire.size(); ++i) {
    r.feed(wire.substr(i, 1));
    ASSERT_EQ(r.next(v), ParseStatus::kNeedMore) << "after byte " << i;
  }
  r.feed(wire.substr(wire.size() - 1));
  ASSERT_EQ(r.next(v), ParseStatus::kComplete);
  ASSERT_EQ(v.type, Type::kArray);
  ASSERT_EQ(v.elements.size(), 3u);
  EXPECT_EQ(v.elements[0], integer(1));
  ASSERT_EQ(v.elements[1].elements.size(), 2u);
  EXPECT_EQ(v.elements[1].elements[0].text, "abc");
  EXPECT_EQ(v.elements[2].text, "x");
  std::string again;
  append_resp_value(again, v);
  EXPECT_EQ(again, wire);
}

TEST(RespReader, RefusesMalformed) {
  for (const char* bad : {"?x\r\n", ":12a\r\n", ":\r\n", "$-2\r\n", "$3\r\nabcd\r\n", "+a\n",
                          "*-5\r\n", "+a\rb\r\n"}) {
    RespReader r;
    r.feed(bad);
    RespValue v;
    EXPECT_EQ(r.next(v), ParseStatus::kError) << bad;
    EXPECT_STRNE(r.error_message(), "");
    EXPECT_EQ(r.next(v), ParseStatus::kError) << "an error is final";
  }
}

TEST(RespReader, EnforcesLimits) {
  RespReader::Limits limits;
  limits.max_bulk_bytes = 4;
  limits.max_array_elements = 2;
  limits.max_depth = 2;
  limits.max_line_bytes = 8;
  limits.max_buffered_bytes = 64;
  const struct {
    std::string wire;
    bool ok;
  } cases[] = {{"$4\r\nabcd\r\n", true},     {"$5\r\n", false},
               {"*2\r\n:1\r\n:2\r\n", true}, {"*3\r\n", false},
               {"*1\r\n*1\r\n:1\r\n", true}, {"*1\r\n*1\r\n*1\r\n", false},
               {"+12345678\r\n", true},      {"+123456789", false},
               {std::string(65, ':'), false}};
  for (const auto& c : cases) {
    RespReader r(limits);
    r.feed(c.wire);
    RespValue v;
    EXPECT_EQ(r.next(v), c.ok ? ParseStatus::kComplete : ParseStatus::kError) << c.wire;
  }
}

TEST(RespReader, PipelinedRepliesInOneRead) {
  std::string wire;
  for (int i = 0; i < 1000; ++i) append_resp_value(wire, integer(i));
  RespReader r;
  r.feed(wire);
  RespValue v;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(r.next(v), ParseStatus::kComplete);
    EXPECT_EQ(v.integer, i);
  }
  EXPECT_EQ(r.next(v), ParseStatus::kNeedMore);
  EXPECT_EQ(r.buffered(), 0u);
}

}  // namespace
}  // namespace ringgate::protocol
