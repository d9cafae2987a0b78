#include "engine/telemetry/tap_ring.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace ringgate::telemetry {
namespace {

struct Frame {
  uint64_t request;
  TapFrame kind;
  std::string bytes;
  bool operator==(const Frame&) const = default;
};

std::vector<Frame> drain(TapRing& ring) {
  std::vector<Frame> out;
  ring.drain([&](uint64_t request, TapFrame kind, std::string_view bytes) {
    out.push_back({request, kind, std::string(bytes)});
  });
  return out;
}

TEST(TapRing, FramesOfInterleavedRequestsComeOutInPushOrder) {
  TapRing ring(256);
  const std::string_view two[] = {"ab", "cd"};
  ASSERT_TRUE(ring.push(7, TapFrame::kBegin, "\x01"));
  ASSERT_TRUE(ring.push(8, TapFrame::kBody, "x"));
  ASSERT_TRUE(ring.push(7, TapFrame::kBody, two));
  EXPECT_EQ(drain(ring), (std::vector<Frame>{{7, TapFrame::kBegin, "\x01"},
                                             {8, TapFrame::kBody, "x"},
                                             {7, TapFrame::kBody, "abcd"}}));
  EXPECT_TRUE(drain(ring).empty());
}

// seed-defect: 002-2 (a full ring drops the accounting copy and counts it; the client's stream
// never waits)
TEST(TapRing, AFrameThatDoesNotFitIsDroppedWholeAndCounted) {
  TapRing ring(256);
  const std::string big(40, 'b');
  ASSERT_TRUE(ring.push(1, TapFrame::kBody, big));  // 56 bytes of 256
  ASSERT_TRUE(ring.push(1, TapFrame::kBody, big));
  ASSERT_TRUE(ring.push(1, TapFrame::kBody, big));
  ASSERT_TRUE(ring.push(1, TapFrame::kBody, big));
  EXPECT_FALSE(ring.push(2, TapFrame::kBody, big));  // 224 used: no room for 56 more
  EXPECT_FALSE(ring.push(2, TapFrame::kBody, std::string(100, 'x')));  // over a quarter, ever
  EXPECT_EQ(ring.dropped(), 2u);
  EXPECT_EQ(drain(ring).size(), 4u);
  EXPECT_TRUE(ring.push(2, TapFrame::kBody, big));  // room again
}

TEST(TapRing, PayloadsThatWrapAroundTheEndComeOutWhole) {
  TapRing ring(256);  // frames of 16 to 56 bytes land at every offset, some across the end
  for (int i = 0; i < 50; ++i) {
    const std::string bytes = std::string(size_t(i * 7 % 41), char('a' + i % 26));
    ASSERT_TRUE(ring.push(uint64_t(i), TapFrame::kBody, bytes));
    const std::vector<Frame> got = drain(ring);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], (Frame{uint64_t(i), TapFrame::kBody, bytes}));
  }
}

// One shard pushes, the accounting thread drains: every frame that was taken arrives intact.
TEST(TapRing, AConcurrentConsumerGetsEveryTakenFrameIntact) {
  TapRing ring(4096);
  constexpr uint64_t kFrames = 200'000;
  uint64_t taken = 0;
  std::atomic<bool> done{false};
  uint64_t seen = 0, bad = 0;
  std::thread consumer([&] {
    uint64_t last = 0;
    auto check = [&](uint64_t request, TapFrame, std::string_view bytes) {
      if (request <= last && seen) ++bad;
      if (bytes != std::string(request % 61, char('A' + request % 26))) ++bad;
      last = request;
      ++seen;
    };
    while (!done.load(std::memory_order_acquire)) ring.drain(check);
    ring.drain(check);
  });
  for (uint64_t i = 1; i <= kFrames; ++i) {
    taken += ring.push(i, TapFrame::kBody, std::string(i % 61, char('A' + i % 26)));
  }
  done.store(true, std::memory_order_release);
  consumer.join();
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(seen, taken);
  EXPECT_EQ(taken + ring.dropped(), kFrames);
}

}  // namespace
}  // namespace ringgate::telemetry
