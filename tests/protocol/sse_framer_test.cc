#include "protocol/sse_framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ringgate::protocol {
namespace {

struct Event {
  std::string event, data, id, raw;
  bool operator==(const Event&) const = default;
};

std::vector<Event> frame(std::string_view stream, const std::vector<size_t>& cuts,
                         SseFramer& framer) {
  std::vector<Event> events;
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(stream.size());
  for (size_t end : ends) {
    std::string chunk(stream.substr(from, end - from));  // own allocation per read
    framer.feed(chunk, [&](const SseEvent& e) {
      events.push_back(
          {std::string(e.event), std::string(e.data), std::string(e.id), std::string(e.raw)});
    });
    from = end;
  }
  return events;
}

std::vector<Event> frame(std::string_view stream, const std::vector<size_t>& cuts = {}) {
  SseFramer framer;
  return frame(stream, cuts, framer);
}

void expect_same_at_every_split(std::string_view stream) {
  const std::vector<Event> whole = frame(stream);
  std::vector<size_t> bytewise;
  for (size_t i = 1; i < stream.size(); ++i) bytewise.push_back(i);
  EXPECT_EQ(frame(stream, bytewise), whole) << "byte at a time";
  for (size_t i = 1; i < stream.size(); ++i) ASSERT_EQ(frame(stream, {i}), whole) << i;
}

const std::string kOpenAiStream =
    "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1718000000,"
    "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
    "\"content\":\"\"},\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n"
    ": keep-alive\n\n"
    "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
    "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1,\"total_tokens\":10}}\n\n"
    "data: [DONE]\n\n";

const std::string kAnthropicStream =
    "event: message_start\r\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\","
    "\"role\":\"assistant\",\"model\":\"claude-3-5-sonnet-20241022\",\"usage\":{\"input_tokens\":"
    "25,\"output_tokens\":1}}}\r\n\r\n"
    "event: ping\r\ndata: {\"type\": \"ping\"}\r\n\r\n"
    "event: content_block_delta\r\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
    "\"text\":\"Hi\"}}\r\n\r\n"
    "event: message_delta\r\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":"
    "{\"output_tokens\":15}}\r\n\r\n"
    "event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n";

TEST(SseFramer, FramesOpenAiStream) {
  const std::vector<Event> events = frame(kOpenAiStream);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].data,
            "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            "\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}");
  EXPECT_EQ(events[3].data, "[DONE]");
  EXPECT_EQ(events[3].raw, "data: [DONE]\n");
  EXPECT_EQ(events[3].event, "");
  expect_same_at_every_split(kOpenAiStream);
}

TEST(SseFramer, FramesAnthropicStreamWithCrlf) {
  const std::vector<Event> events = frame(kAnthropicStream);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].event, "message_start");
  EXPECT_EQ(events[1].event, "ping");
  EXPECT_EQ(events[1].data, "{\"type\": \"ping\"}");
  EXPECT_EQ(events[1].raw, "event: ping\r\ndata: {\"type\": \"ping\"}\r\n");
  EXPECT_EQ(events[4].event, "message_stop");
  expect_same_at_every_split(kAnthropicStream);
}

TEST(SseFramer, HandlesEveryLineEnding) {
  for (std::string_view eol : {"\n", "\r\n", "\r"}) {
    std::string stream;
    for (const char* line : {"event: a", "data: 1", "", "data: 2", "id: 7", ""}) {
      stream += line;
      stream += eol;
    }
    const std::vector<Event> events = frame(stream);
    ASSERT_EQ(events.size(), 2u) << "eol size " << eol.size();
    EXPECT_EQ(events[0].event, "a");
    EXPECT_EQ(events[0].data, "1");
    EXPECT_EQ(events[1].data, "2");
    EXPECT_EQ(events[1].id, "7");
    expect_same_at_every_split(stream);
  }
  // Mixed endings in one stream, as a careless upstream might send.
  expect_same_at_every_split("data: a\r\n\ndata: b\r\rdata: c\n\r\n");
  EXPECT_EQ(frame("data: a\r\n\ndata: b\r\rdata: c\n\r\n").size(), 3u);
}

TEST(SseFramer, JoinsMultipleDataLinesWithNewline) {
  const std::string stream = "data: first\ndata:second\ndata\ndata:  indented\n\n";
  const std::vector<Event> events = frame(stream);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "first\nsecond\n\n indented");
  expect_same_at_every_split(stream);
}

TEST(SseFramer, StripsOnlyOneSpaceAfterColon) {
  const std::vector<Event> events = frame("data:x\n\ndata: y\n\ndata:  z\n\n");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].data, "x");
  EXPECT_EQ(events[1].data, "y");
  EXPECT_EQ(events[2].data, " z");
}

TEST(SseFramer, CommentsAndDatalessBlocksAreNotEvents) {
  const std::string stream =
      ":ping\n\n: another\n\nevent: lonely\n\nretry: 100\n\n\n\ndata: real\n:c\n\n";
  const std::vector<Event> events = frame(stream);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "real");
  EXPECT_EQ(events[0].event, "");
  expect_same_at_every_split(stream);
}

TEST(SseFramer, EmptyDataLineIsAnEvent) {
  const std::vector<Event> events = frame("data\n\ndata:\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "");
  EXPECT_EQ(events[1].data, "");
}

TEST(SseFramer, IncompleteEventIsHeldUntilItEnds) {
  SseFramer framer;
  int count = 0;
  framer.feed("data: par", [&](const SseEvent&) { ++count; });
  EXPECT_EQ(count, 0);
  EXPECT_EQ(framer.buffered_bytes(), 9u);
  std::string data;
  framer.feed("tial\n\n", [&](const SseEvent& e) {
    ++count;
    data = e.data;
  });
  EXPECT_EQ(count, 1);
  EXPECT_EQ(data, "partial");
  framer.feed("data: next\n\n", [&](const SseEvent&) { ++count; });
  EXPECT_EQ(count, 2);
  EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST(SseFramer, EventsInsideOneChunkAreViewsIntoIt) {
  SseFramer framer;
  const std::string chunk = "data: a\n\nevent: e\ndata: b\n\n";
  std::vector<const char*> data_ptrs;
  framer.feed(chunk, [&](const SseEvent& e) {
    data_ptrs.push_back(e.data.data());
    EXPECT_GE(e.raw.data(), chunk.data());
    EXPECT_LE(e.raw.data() + e.raw.size(), chunk.data() + chunk.size());
  });
  ASSERT_EQ(data_ptrs.size(), 2u);
  EXPECT_EQ(data_ptrs[0], chunk.data() + 6);
  EXPECT_EQ(data_ptrs[1], chunk.data() + 24);
}

TEST(SseFramer, DropsOversizedEventsAndResumes) {
  SseFramer framer(32);
  const std::string big = "data: " + std::string(100, 'x') + "\n\n";
  const std::string stream = "data: small\n\n" + big + "data: after\n\n";
  // Whole and split feeding drop the same event, and memory stays under the cap meanwhile.
  for (size_t step : {stream.size(), size_t{1}, size_t{7}}) {
    SseFramer f(32);
    std::vector<std::string> seen;
    bool all_ok = true;
    for (size_t i = 0; i < stream.size(); i += step) {
      all_ok &= f.feed(std::string_view(stream).substr(i, step),
                       [&](const SseEvent& e) { seen.emplace_back(e.data); });
      EXPECT_LE(f.buffered_bytes(), 32u);
    }
    EXPECT_FALSE(all_ok) << step;
    EXPECT_EQ(f.dropped_events(), 1u) << step;
    EXPECT_EQ(seen, (std::vector<std::string>{"small", "after"})) << step;
  }
}

// A relay that must not pass a lost event off as a complete stream needs to know where in the
// stream the drop happened: on_drop comes between the events around it, whatever the split.
TEST(SseFramer, ReportsEachDropInStreamOrder) {
  const std::string big = "data: " + std::string(100, 'x') + "\r\n\r\n";
  const std::string stream = "data: small\n\n" + big + "data: after\n\n";
  auto order = [&](const std::vector<size_t>& cuts) {
    SseFramer framer(32);
    std::vector<std::string> seen;
    size_t from = 0;
    std::vector<size_t> ends = cuts;
    ends.push_back(stream.size());
    for (size_t end : ends) {
      framer.feed(std::string_view(stream).substr(from, end - from),
                  [&](const SseEvent& e) { seen.emplace_back(e.data); },
                  [&] { seen.emplace_back("<dropped>"); });
      from = end;
    }
    return seen;
  };
  const std::vector<std::string> expected{"small", "<dropped>", "after"};
  EXPECT_EQ(order({}), expected);
  for (size_t i = 1; i < stream.size(); ++i) ASSERT_EQ(order({i}), expected) << i;
}

TEST(SseFramer, ReportsADropBeforeTheEventEnds) {
  SseFramer framer(32);
  size_t drops = 0;
  auto feed = [&](std::string_view s) {
    framer.feed(s, [](const SseEvent&) {}, [&] { ++drops; });
  };
  feed("data: ");
  feed(std::string(20, 'x'));
  EXPECT_EQ(drops, 0u);
  feed(std::string(20, 'x'));  // 46 bytes held, no blank line yet
  EXPECT_EQ(drops, 1u);
  feed(std::string(100, 'x') + "\n\n");
  EXPECT_EQ(drops, 1u);  // the same event, reported once
}

TEST(SseFramer, ResetForgetsPartialEvent) {
  SseFramer framer;
  framer.feed("data: stale", [](const SseEvent&) {});
  framer.reset();
  EXPECT_EQ(framer.buffered_bytes(), 0u);
  std::vector<Event> events = frame("data: fresh\n\n", {}, framer);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "fresh");
}

TEST(SseFramer, IdWithNulIsIgnored) {
  using namespace std::string_literals;
  const std::vector<Event> events = frame("id: a\0b\ndata: x\n\n"s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, "");
}

}  // namespace
}  // namespace ringgate::protocol
