#include "tools/mock_upstream/http_request_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace ringgate::mock_upstream {
namespace {

using Status = HttpRequestReader::Status;

// Feeds `wire` one byte at a time, as the slowest possible client would send it.
Status FeedBytewise(HttpRequestReader& reader, const std::string& wire, std::string& buffer) {
  Status status = Status::kIncomplete;
  for (char c : wire) {
    buffer.push_back(c);
    status = reader.Feed(buffer);
    if (status != Status::kIncomplete) return status;
  }
  return status;
}

TEST(HttpRequestReaderTest, ReadsContentLengthBodyAtEverySplit) {
  const std::string wire =
      "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n"
      "X-Mock-Tokens:  7 \r\n\r\nhello world";
  HttpRequestReader reader;
  std::string buffer;
  ASSERT_EQ(FeedBytewise(reader, wire, buffer), Status::kComplete);
  const HttpRequest& request = reader.request();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/v1/chat/completions?x=1");
  EXPECT_EQ(request.path, "/v1/chat/completions");
  EXPECT_EQ(request.body, "hello world");
  ASSERT_NE(request.Find("x-mock-tokens"), nullptr);
  EXPECT_EQ(*request.Find("x-mock-tokens"), "7");
  EXPECT_TRUE(request.keep_alive);
  EXPECT_TRUE(buffer.empty());
}

TEST(HttpRequestReaderTest, ReadsChunkedBodyWithExtensionsAndTrailers) {
  const std::string wire =
      "POST /v1/messages HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n";
  HttpRequestReader reader;
  std::string buffer;
  ASSERT_EQ(FeedBytewise(reader, wire, buffer), Status::kComplete);
  EXPECT_EQ(reader.request().body, "hello world");
}

TEST(HttpRequestReaderTest, LeavesTheNextRequestInTheBuffer) {
  std::string buffer =
      "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /c "
      "HTTP/1.0\r\n\r\n";
  HttpRequestReader reader;
  ASSERT_EQ(reader.Feed(buffer), Status::kComplete);
  EXPECT_EQ(reader.request().path, "/a");
  reader.Reset();
  ASSERT_EQ(reader.Feed(buffer), Status::kComplete);
  EXPECT_EQ(reader.request().path, "/b");
  EXPECT_TRUE(reader.request().keep_alive);
  reader.Reset();
  ASSERT_EQ(reader.Feed(buffer), Status::kComplete);
  EXPECT_EQ(reader.request().path, "/c");
  EXPECT_FALSE(reader.request().keep_alive);
}

TEST(HttpRequestReaderTest, ConnectionCloseEndsKeepAlive) {
  std::string buffer = "GET / HTTP/1.1\r\nConnection: Keep-Alive, CLOSE\r\n\r\n";
  HttpRequestReader reader;
  ASSERT_EQ(reader.Feed(buffer), Status::kComplete);
  EXPECT_FALSE(reader.request().keep_alive);
}

TEST(HttpRequestReaderTest, ReportsExpectContinueOnceTheHeadIsIn) {
  std::string buffer = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
  HttpRequestReader reader;
  ASSERT_EQ(reader.Feed(buffer), Status::kIncomplete);
  EXPECT_TRUE(reader.head_complete());
  EXPECT_TRUE(reader.request().expects_continue);
  buffer += "abc";
  ASSERT_EQ(reader.Feed(buffer), Status::kComplete);
  EXPECT_EQ(reader.request().body, "abc");
}

struct BadRequestCase {
  const char* wire;
  int status;
};

class HttpRequestReaderRejects : public testing::TestWithParam<BadRequestCase> {};

TEST_P(HttpRequestReaderRejects, WithTheRightStatus) {
  std::string buffer = GetParam().wire;
  HttpRequestReader reader;
  EXPECT_EQ(reader.Feed(buffer), Status::kError);
  EXPECT_EQ(reader.error_status(), GetParam().status);
  EXPECT_FALSE(reader.error_message().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, HttpRequestReaderRejects,
    testing::Values(
        BadRequestCase{"GARBAGE\r\n\r\n", 400}, BadRequestCase{"GET  / HTTP/1.1\r\n\r\n", 400},
        BadRequestCase{"GET / HTTP/2.0\r\n\r\n", 505},
        BadRequestCase{"GET nope HTTP/1.1\r\n\r\n", 400},
        BadRequestCase{"GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400},
        BadRequestCase{"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400},
        BadRequestCase{"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400},
        BadRequestCase{"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
        BadRequestCase{"POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", 413},
        BadRequestCase{"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                       400},
        BadRequestCase{"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        BadRequestCase{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
        BadRequestCase{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 400},
        BadRequestCase{"POST / HTTP/1.1\r\nExpect: magic\r\n\r\n", 417}));

TEST(HttpRequestReaderTest, RejectsAnEndlessHead) {
  std::string buffer = "GET / HTTP/1.1\r\n";
  HttpRequestReader reader;
  Status status = Status::kIncomplete;
  while (status == Status::kIncomplete && buffer.size() < 2 * HttpRequestReader::kMaxHeadBytes) {
    buffer += "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    status = reader.Feed(buffer);
  }
  EXPECT_EQ(status, Status::kError);
  EXPECT_EQ(reader.error_status(), 431);
}

}  // namespace
}  // namespace ringgate::mock_upstream
