#include "bench/load/response_reader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace ringgate::bench {
namespace {

struct Outcome {
  ResponseReader::Status status = ResponseReader::Status::kNeedMore;
  uint64_t events = 0;
  uint64_t body_bytes = 0;
  std::string leftover;
};

// Drives the reader the way the load worker does: bytes arrive in pieces of `piece` bytes,
// unconsumed bytes stay at the front of the buffer and more are appended.
Outcome drive(ResponseReader& reader, const std::string& wire, size_t piece) {
  Outcome outcome;
  std::string buffer;
  size_t offset = 0;
  while (offset < wire.size()) {
    buffer.append(wire, offset, piece);
    offset += piece;
    const auto progress = reader.feed(buffer.data(), buffer.size());
    outcome.events += progress.events;
    outcome.body_bytes += progress.body_bytes;
    outcome.status = progress.status;
    buffer.erase(0, progress.consumed);
    if (progress.status != ResponseReader::Status::kNeedMore) break;
  }
  outcome.leftover = buffer + (offset < wire.size() ? wire.substr(offset) : "");
  return outcome;
}

std::string chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

const std::string kEvents =
    "data: {\"choices\":[\"one\"]}\n\ndata: {\"choices\":[\"two\"]}\n\ndata: [DONE]\n\n";
const std::string kSse =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
    chunk(kEvents.substr(0, 27)) + chunk(kEvents.substr(27)) + "0\r\n\r\n";

TEST(ResponseReader, ContentLengthBody) {
  ResponseReader reader;
  reader.reset();
  const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  const Outcome o = drive(reader, wire, wire.size());
  EXPECT_EQ(o.status, ResponseReader::Status::kComplete);
  EXPECT_EQ(reader.status_code(), 200);
  EXPECT_TRUE(reader.keep_alive());
  EXPECT_EQ(o.body_bytes, 5u);
  EXPECT_EQ(o.leftover, "");
}

TEST(ResponseReader, ChunkedSseCountsEventsAtEverySplit) {
  for (size_t piece = 1; piece <= kSse.size(); ++piece) {
    ResponseReader reader;
    reader.reset();
    const Outcome o = drive(reader, kSse, piece);
    ASSERT_EQ(o.status, ResponseReader::Status::kComplete) << "piece " << piece;
    EXPECT_EQ(o.events, 3u) << "piece " << piece;
    EXPECT_EQ(o.body_bytes, kEvents.size()) << "piece " << piece;
    EXPECT_EQ(o.leftover, "") << "piece " << piece;
  }
}

TEST(ResponseReader, CrlfEventSeparatorsAndChunkExtensionsAndTrailers) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
      "b;ext=1\r\ndata: a\r\n\r\n\r\n"
      "a\r\n\r\ndata: b\n\r\n"
      "0\r\nX-Trailer: 1\r\n\r\n";
  for (size_t piece = 1; piece <= wire.size(); ++piece) {
    ResponseReader reader;
    reader.reset();
    const Outcome o = drive(reader, wire, piece);
    ASSERT_EQ(o.status, ResponseReader::Status::kComplete) << piece;
    EXPECT_EQ(o.events, 1u) << piece;  // "data: a\r\n\r\n"; "data: b\n" is not finished
  }
}

TEST(ResponseReader, LeavesTheNextResponseUnconsumed) {
  ResponseReader reader;
  reader.reset();
  const std::string wire = "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nnoHTTP/1.1 200";
  const Outcome o = drive(reader, wire, wire.size());
  EXPECT_EQ(o.status, ResponseReader::Status::kComplete);
  EXPECT_EQ(reader.status_code(), 404);
  EXPECT_EQ(o.leftover, "HTTP/1.1 200");
}

TEST(ResponseReader, IncompleteHeadConsumesNothing) {
  ResponseReader reader;
  reader.reset();
  const std::string partial = "HTTP/1.1 200 OK\r\nContent-Len";
  const auto progress = reader.feed(partial.data(), partial.size());
  EXPECT_EQ(progress.status, ResponseReader::Status::kNeedMore);
  EXPECT_EQ(progress.consumed, 0u);
  EXPECT_TRUE(reader.in_head());
}

TEST(ResponseReader, InterimResponseIsSkipped) {
  ResponseReader reader;
  reader.reset();
  const std::string wire =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
  for (size_t piece = 1; piece <= wire.size(); ++piece) {
    reader.reset();
    const Outcome o = drive(reader, wire, piece);
    ASSERT_EQ(o.status, ResponseReader::Status::kComplete) << piece;
    EXPECT_EQ(reader.status_code(), 201);
  }
}

TEST(ResponseReader, NoBodyFor204AndHead) {
  ResponseReader reader;
  reader.reset();
  std::string wire = "HTTP/1.1 204 No Content\r\n\r\n";
  EXPECT_EQ(drive(reader, wire, wire.size()).status, ResponseReader::Status::kComplete);
  reader.reset(/*head_request=*/true);
  wire = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
  EXPECT_EQ(drive(reader, wire, wire.size()).status, ResponseReader::Status::kComplete);
}

TEST(ResponseReader, BodyUntilClose) {
  ResponseReader reader;
  reader.reset();
  const std::string wire = "HTTP/1.0 200 OK\r\n\r\ndata: x\n\n";
  const Outcome o = drive(reader, wire, 3);
  EXPECT_EQ(o.status, ResponseReader::Status::kNeedMore);
  EXPECT_EQ(o.events, 1u);
  EXPECT_FALSE(reader.keep_alive());
  EXPECT_TRUE(reader.finish_at_eof());
}

TEST(ResponseReader, CutShortBodyIsNotComplete) {
  ResponseReader reader;
  reader.reset();
  const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
  EXPECT_EQ(drive(reader, wire, wire.size()).status, ResponseReader::Status::kNeedMore);
  EXPECT_FALSE(reader.finish_at_eof());
}

TEST(ResponseReader, ConnectionHeaderDecidesKeepAlive) {
  ResponseReader reader;
  reader.reset();
  std::string wire = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
  drive(reader, wire, wire.size());
  EXPECT_FALSE(reader.keep_alive());
  reader.reset();
  wire = "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n";
  drive(reader, wire, wire.size());
  EXPECT_TRUE(reader.keep_alive());
}

TEST(ResponseReader, MalformedResponsesAreErrors) {
  for (const std::string wire : {
           "HTTP/2 200\r\n\r\n",
           "HTTP/1.1 2x0 OK\r\n\r\n",
           "garbage\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXY",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
       }) {
    ResponseReader reader;
    reader.reset();
    const Outcome o = drive(reader, wire, wire.size());
    EXPECT_EQ(o.status, ResponseReader::Status::kError) << wire;
    EXPECT_NE(reader.error(), nullptr) << wire;
  }
}

}  // namespace
}  // namespace ringgate::bench
