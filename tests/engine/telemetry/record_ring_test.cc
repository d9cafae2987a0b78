#include "engine/telemetry/record_ring.h"

#include <gtest/gtest.h>

#include <thread>

namespace ringgate::telemetry {
namespace {

RequestRecord numbered(uint16_t n) {
  RequestRecord r;
  r.status = n;
  r.request_id.assign("id-" + std::to_string(n));
  return r;
}

TEST(RecordRing, PopsInPushOrder) {
  RecordRing ring(4);
  for (uint16_t i = 0; i < 3; ++i) ASSERT_TRUE(ring.push(numbered(i)));
  RequestRecord r;
  for (uint16_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(ring.pop(r));
    EXPECT_EQ(r.status, i);
    EXPECT_EQ(r.request_id.view(), "id-" + std::to_string(i));
  }
  EXPECT_FALSE(ring.pop(r));
}

TEST(RecordRing, AFullRingDropsAndCounts) {
  RecordRing ring(2);
  EXPECT_TRUE(ring.push(numbered(1)));
  EXPECT_TRUE(ring.push(numbered(2)));
  EXPECT_FALSE(ring.push(numbered(3)));
  EXPECT_EQ(ring.dropped(), 1u);
  RequestRecord r;
  ASSERT_TRUE(ring.pop(r));
  EXPECT_TRUE(ring.push(numbered(4)));  // a slot came free
}

TEST(RecordRing, LongTextIsCutNotAllocated) {
  ShortText<8> t;
  t.assign("0123456789");
  EXPECT_EQ(t.view(), "01234567");
}

// One producer, one consumer thread: every record arrives once and in order, or is counted as
// dropped.
TEST(RecordRing, ProducerAndConsumerOnTwoThreads) {
  RecordRing ring(64);
  constexpr uint64_t kRecords = 100000;
  std::thread producer([&] {
    RequestRecord r;
    for (uint64_t i = 1; i <= kRecords; ++i) {
      r.bytes_in = i;
      ring.push(std::move(r));
    }
  });
  uint64_t got = 0, last = 0;
  RequestRecord r;
  while (got + ring.dropped() < kRecords) {
    if (!ring.pop(r)) continue;
    ++got;
    EXPECT_GT(r.bytes_in, last);
    last = r.bytes_in;
  }
  producer.join();
  EXPECT_FALSE(ring.pop(r));
  EXPECT_EQ(got + ring.dropped(), kRecords);
  EXPECT_GT(got, 0u);
}

}  // namespace
}  // namespace ringgate::telemetry
