#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "protocol/chunked_decoder.h"
#include "protocol/chunked_encoder.h"

namespace ringgate::protocol {
namespace {

struct Decoded {
  ChunkedDecoder::Result result = ChunkedDecoder::Result::kNeedMore;
  ChunkedDecoder::Error error = ChunkedDecoder::Error::kNone;
  std::string body;
  size_t consumed = 0;  // total input bytes used
  bool operator==(const Decoded&) const = default;
};

Decoded decode(std::string_view input, const std::vector<size_t>& cuts,
               ChunkedDecoder::Limits limits = {}) {
  ChunkedDecoder d(limits);
  Decoded out;
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  for (size_t end : ends) {
    std::string piece(input.substr(from, end - from));  // own allocation per read
    std::string_view rest = piece;
    while (true) {
      size_t used = 0;
      std::string_view data;
      out.result = d.decode(rest, used, data);
      out.consumed += used;
      rest.remove_prefix(used);
      if (out.result == ChunkedDecoder::Result::kData) {
        out.body.append(data);
        continue;
      }
      break;
    }
    if (out.result != ChunkedDecoder::Result::kNeedMore) {
      out.error = d.error();
      return out;
    }
    from = end;
  }
  return out;
}

void expect_same_at_every_split(std::string_view input) {
  const Decoded whole = decode(input, {});
  std::vector<size_t> bytewise;
  for (size_t i = 1; i < input.size(); ++i) bytewise.push_back(i);
  EXPECT_EQ(decode(input, bytewise), whole);
  for (size_t i = 1; i < input.size(); ++i) ASSERT_EQ(decode(input, {i}), whole) << i;
}

TEST(ChunkedDecoder, DecodesBodyAndStopsAtItsEnd) {
  const std::string wire =
      "4\r\nWiki\r\n6;lang=en\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\n\r\nNEXT";
  const Decoded d = decode(wire, {});
  EXPECT_EQ(d.result, ChunkedDecoder::Result::kDone);
  EXPECT_EQ(d.body, "Wikipedia in \r\n\r\nchunks.");
  EXPECT_EQ(d.consumed, wire.size() - 4);
}

TEST(ChunkedDecoder, SameResultAtEverySplitPoint) {
  expect_same_at_every_split(
      "4\r\nWiki\r\n6;lang=en\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\n\r\n");
  expect_same_at_every_split(
      "A \t; a=b ; c=\"d e\"\r\n0123456789\r\n0\r\nTrailer: v\r\nOther: w\r\n\r\n");
  expect_same_at_every_split("3\r\nabcX\r\n");
}

TEST(ChunkedDecoder, AcceptsUpperAndLowerCaseHexAndLeadingZeros) {
  EXPECT_EQ(decode("0000a\r\n0123456789\r\n0\r\n\r\n", {}).body, "0123456789");
  EXPECT_EQ(decode("A\r\n0123456789\r\n0\r\n\r\n", {}).body, "0123456789");
}

TEST(ChunkedDecoder, RejectsOverflowingChunkSize) {
  const Decoded d = decode("1ffffffffffffffff\r\n", {});
  EXPECT_EQ(d.result, ChunkedDecoder::Result::kError);
  EXPECT_EQ(d.error, ChunkedDecoder::Error::kMalformed);
}

TEST(ChunkedDecoder, RejectsChunkSizeBeyondBodyCap) {
  ChunkedDecoder::Limits limits;
  limits.max_body_bytes = 100;
  const Decoded d = decode("ffffffffffffffff\r\n", {}, limits);
  EXPECT_EQ(d.error, ChunkedDecoder::Error::kBodyTooLarge);
}

TEST(ChunkedDecoder, CapsChunkLineAndTrailerLengths) {
  ChunkedDecoder::Limits limits;
  limits.max_line_bytes = 16;
  limits.max_trailer_bytes = 16;
  EXPECT_EQ(decode("1;" + std::string(20, 'x') + "\r\n", {}, limits).error,
            ChunkedDecoder::Error::kMalformed);
  EXPECT_EQ(decode("0\r\nX: " + std::string(20, 'x') + "\r\n\r\n", {}, limits).error,
            ChunkedDecoder::Error::kTrailerTooLarge);
}

TEST(ChunkedDecoder, RejectsBrokenFraming) {
  for (const char* wire : {"\r\n", "g\r\n", "1\r\nab\r\n", "1\r\na\n0\r\n\r\n", "1\na\r\n",
                           "0\r\n\r\r", "0\r\nX\r\n\r\n", "0\r\n:v\r\n\r\n", "1 x\r\n"}) {
    EXPECT_EQ(decode(wire, {}).result, ChunkedDecoder::Result::kError) << wire;
  }
}

TEST(ChunkedDecoder, ResetStartsANewBody) {
  ChunkedDecoder d;
  size_t used = 0;
  std::string_view piece;
  ASSERT_EQ(d.decode("0\r\n\r\n", used, piece), ChunkedDecoder::Result::kDone);
  EXPECT_TRUE(d.done());
  d.reset();
  EXPECT_FALSE(d.done());
  EXPECT_EQ(d.decode("1\r\nz", used, piece), ChunkedDecoder::Result::kData);
  EXPECT_EQ(piece, "z");
}

TEST(ChunkedEncoder, SizeLineIsLowercaseHexWithCrlf) {
  EXPECT_EQ(chunk_size_line(0).view(), "0\r\n");
  EXPECT_EQ(chunk_size_line(1).view(), "1\r\n");
  EXPECT_EQ(chunk_size_line(255).view(), "ff\r\n");
  EXPECT_EQ(chunk_size_line(4096).view(), "1000\r\n");
  EXPECT_EQ(chunk_size_line(std::numeric_limits<size_t>::max()).view(), "ffffffffffffffff\r\n");
}

TEST(ChunkedEncoder, EmptyDataWritesNothing) {
  std::string out = "x";
  append_chunk(out, "");
  EXPECT_EQ(out, "x");
}

TEST(ChunkedEncoder, RoundTripsThroughTheDecoder) {
  std::string wire;
  std::string expected;
  for (size_t n : {1u, 15u, 16u, 17u, 300u, 5000u}) {
    std::string data(n, static_cast<char>('a' + n % 26));
    append_chunk(wire, data);
    expected += data;
  }
  append_last_chunk(wire);
  const Decoded d = decode(wire, {});
  EXPECT_EQ(d.result, ChunkedDecoder::Result::kDone);
  EXPECT_EQ(d.body, expected);
  EXPECT_EQ(d.consumed, wire.size());
}

}  // namespace
}  // namespace ringgate::protocol
