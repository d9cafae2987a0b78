#include "protocol/sse_boundary.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "protocol/sse_framer.h"

namespace ringgate::protocol {
namespace {

// The definition, written the slow way: a boundary ends at `end` when the byte before is LF and
// the one before that is LF, or CR preceded by LF (the stream starts at a line start).
size_t last_boundary_end(std::string_view s) {
  auto at = [&](size_t i, size_t back) { return i < back ? '\n' : s[i - back]; };
  for (size_t end = s.size(); end > 0; --end) {
    if (s[end - 1] != '\n') continue;
    if (at(end - 1, 1) == '\n' || (at(end - 1, 1) == '\r' && at(end - 1, 2) == '\n')) return end;
  }
  return 0;
}

// Every boundary position of `s`, absolute, as the reference sees them.
std::vector<size_t> all_boundaries(std::string_view s) {
  std::vector<size_t> out;
  for (size_t end = 1; end <= s.size(); ++end) {
    if (last_boundary_end(s.substr(0, end)) == end) out.push_back(end);
  }
  return out;
}

// Feeds `s` cut at `cuts`; returns the absolute end of the last boundary each feed reported.
std::vector<size_t> feed_split(std::string_view s, const std::vector<size_t>& cuts,
                               SseBoundaryScanner& scanner) {
  std::vector<size_t> ends = cuts;
  ends.push_back(s.size());
  std::vector<size_t> reported;
  size_t from = 0;
  for (size_t end : ends) {
    const std::string piece(s.substr(from, end - from));  // its own buffer, as a read is
    if (size_t n = scanner.feed(piece); n > 0) reported.push_back(from + n);
    from = end;
  }
  return reported;
}

// Whatever the split, each feed reports the last boundary the stream has up to its end.
void expect_boundaries_at_every_split(std::string_view s) {
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    SseBoundaryScanner scanner;
    std::vector<size_t> reported = feed_split(s, {cut}, scanner);
    std::vector<size_t> expected;
    const size_t first = last_boundary_end(s.substr(0, cut));
    if (first > 0) expected.push_back(first);
    if (const size_t second = last_boundary_end(s); second > cut) expected.push_back(second);
    ASSERT_EQ(reported, expected) << "cut at " << cut;
    EXPECT_EQ(scanner.pending_bytes(), s.size() - last_boundary_end(s)) << cut;
  }
  std::vector<size_t> bytewise;
  for (size_t i = 1; i < s.size(); ++i) bytewise.push_back(i);
  SseBoundaryScanner scanner;
  EXPECT_EQ(feed_split(s, bytewise, scanner), all_boundaries(s)) << "byte at a time";
}

TEST(SseBoundaryScanner, FindsEachKindOfBlankLine) {
  for (std::string_view s : {"data: a\n\n", "data: a\r\n\r\n", "data: a\r\n\n", "data: a\n\r\n"}) {
    SseBoundaryScanner scanner;
    EXPECT_EQ(scanner.feed(s), s.size()) << s;
    EXPECT_EQ(scanner.pending_bytes(), 0u);
  }
}

TEST(SseBoundaryScanner, ReportsTheLastBoundaryOfAFeed) {
  SseBoundaryScanner scanner;
  EXPECT_EQ(scanner.feed("data: a\n\ndata: b\n\ndata: c"), 18u);
  EXPECT_EQ(scanner.pending_bytes(), 7u);
  EXPECT_EQ(scanner.feed("\n"), 0u);
  EXPECT_EQ(scanner.feed("\n"), 1u);
}

TEST(SseBoundaryScanner, LoneCarriageReturnsAreNotLineEnds) {
  SseBoundaryScanner scanner;
  EXPECT_EQ(scanner.feed("data: a\r\rdata: b\r\r"), 0u);
  EXPECT_EQ(scanner.feed("\n\r\r\n"), 0u);  // LF, then a line holding CR
  EXPECT_EQ(scanner.feed("\n"), 1u);
}

TEST(SseBoundaryScanner, FindsBoundariesSplitAtEveryPoint) {
  expect_boundaries_at_every_split("data: {\"n\":1}\n\ndata: {\"n\":2}\n\n");
  expect_boundaries_at_every_split(
      "event: message_start\r\ndata: {}\r\n\r\nevent: ping\r\ndata: {}\r\n\r\n");
  expect_boundaries_at_every_split("\n\ndata: a\r\n\ndata: b\n\r\n: comment\n\n\n\r\n\r\r\n\n");
  expect_boundaries_at_every_split("data: unfinished\r\n\r");
}

TEST(SseBoundaryScanner, MatchesTheDefinitionOnRandomStreams) {
  std::mt19937 rng(7);
  const char alphabet[] = {'\n', '\r', 'a', ':'};
  for (int round = 0; round < 2000; ++round) {
    std::string s(rng() % 24, 'a');
    for (char& c : s) c = alphabet[rng() % 4];
    std::vector<size_t> cuts;
    for (size_t i = 1; i < s.size(); ++i) {
      if (rng() % 3 == 0) cuts.push_back(i);
    }
    SseBoundaryScanner scanner;
    std::vector<size_t> reported = feed_split(s, cuts, scanner);
    std::vector<size_t> expected;
    cuts.push_back(s.size());
    for (size_t end : cuts) {
      const size_t b = last_boundary_end(std::string_view(s).substr(0, end));
      if (b > 0 && (expected.empty() || expected.back() != b)) expected.push_back(b);
    }
    ASSERT_EQ(reported, expected) << testing::PrintToString(s);
  }
}

TEST(SseBoundaryScanner, AnEventOfExactlyTheCapPasses) {
  const std::string event = "data: " + std::string(26, 'x') + "\n";  // 33 bytes without blank line
  for (std::string_view blank : {"\n", "\r\n"}) {
    SseBoundaryScanner scanner(event.size());
    const std::string s = event + std::string(blank);
    EXPECT_EQ(scanner.feed(s), s.size());
    EXPECT_FALSE(scanner.oversized());
    SseBoundaryScanner split(event.size());
    EXPECT_EQ(split.feed(s.substr(0, s.size() - 1)), 0u);  // "...\r" held: the CR is not counted
    EXPECT_FALSE(split.oversized());
    EXPECT_EQ(split.feed(s.substr(s.size() - 1)), 1u);
  }
  SseBoundaryScanner scanner(event.size() - 1);
  EXPECT_EQ(scanner.feed(event + "\n"), 0u);
  EXPECT_TRUE(scanner.oversized());
}

TEST(SseBoundaryScanner, AnOversizedEventStopsScanningAfterTheEventsBeforeIt) {
  SseBoundaryScanner scanner(16);
  EXPECT_EQ(scanner.feed("data: a\n\ndata: b\n\ndata: " + std::string(40, 'x') + "\n\ndata: c\n\n"),
            18u);
  EXPECT_TRUE(scanner.oversized());
  EXPECT_EQ(scanner.feed("data: d\n\n"), 0u);
}

TEST(SseBoundaryScanner, AnEventWithoutEndIsCaughtAsSoonAsItPassesTheCap) {
  SseBoundaryScanner scanner(1000);
  EXPECT_EQ(scanner.feed("data: a\n\ndata: "), 9u);
  size_t fed = 6;
  while (!scanner.oversized()) {
    EXPECT_EQ(scanner.feed(std::string(100, 'x') + "\n"), 0u);
    fed += 101;
    ASSERT_LE(fed, 1101u);
  }
  EXPECT_GT(scanner.pending_bytes(), 1000u);
  scanner.reset(1000);
  EXPECT_FALSE(scanner.oversized());
  EXPECT_EQ(scanner.feed("data: fresh\n\n"), 13u);
}

// The relay and the framer apply one cap with one meaning: what one passes, the other delivers.
TEST(SseBoundaryScanner, TheCapMeansWhatTheFramersCapMeans) {
  for (std::string_view blank : {"\n", "\r\n"}) {
    for (size_t cap : {size_t{32}, size_t{33}}) {
      const std::string s = "data: " + std::string(25, 'x') + "\r\n" + std::string(blank);
      SseBoundaryScanner scanner(cap);
      scanner.feed(s);
      SseFramer framer(cap);
      size_t delivered = 0;
      framer.feed(s, [&](const SseEvent&) { ++delivered; });
      EXPECT_EQ(scanner.oversized(), delivered == 0) << cap;
      EXPECT_EQ(scanner.oversized(), cap == 32) << cap;
    }
  }
}

}  // namespace
}  // namespace ringgate::protocol
