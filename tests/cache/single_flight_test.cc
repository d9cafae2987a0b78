#include "cache/single_flight.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ringgate::cache {
namespace {

CacheKey key_n(uint8_t n) {
  CacheKey key;
  key.bytes[0] = n;
  return key;
}

TEST(SingleFlight, FirstLeadsOthersFollow) {
  SingleFlight group(2);
  auto leader = group.join(key_n(1));
  ASSERT_EQ(leader.role, FlightRole::kLeader);
  auto f1 = group.join(key_n(1));
  auto f2 = group.join(key_n(1));
  EXPECT_EQ(f1.role, FlightRole::kFollower);
  EXPECT_EQ(f1.flight, leader.flight);
  EXPECT_EQ(f2.role, FlightRole::kFollower);
  auto over = group.join(key_n(1));  // past max_followers: on its own
  EXPECT_EQ(over.role, FlightRole::kAlone);
  EXPECT_FALSE(over.flight);
  EXPECT_EQ(group.join(key_n(2)).role, FlightRole::kLeader);
  EXPECT_EQ(leader.flight->attached(), 3u);
}

TEST(SingleFlight, FollowersReadTheLogFromZeroAndAreWoken) {
  SingleFlight group;
  auto leader = group.join(key_n(1)).flight;
  leader->set_format("openai sse");
  leader->append("data: a\n\n");
  auto follower = group.join(key_n(1)).flight;
  std::string out;
  auto read = follower->read_from(0, out);
  EXPECT_EQ(out, "data: a\n\n");
  EXPECT_TRUE(read.at_end);
  EXPECT_EQ(read.state, FlightState::kRunning);
  EXPECT_EQ(follower->format(), "openai sse");

  int woken = 0;
  EXPECT_FALSE(follower->wake_after(0, [&] { ++woken; }));  // bytes past 0 already: read now
  EXPECT_TRUE(follower->wake_after(out.size(), [&] { ++woken; }));
  EXPECT_EQ(woken, 0);
  leader->append("data: b\n\n");
  EXPECT_EQ(woken, 1);
  leader->append("x");
  EXPECT_EQ(woken, 1);  // one-shot
  read = follower->read_from(out.size(), out, 4);
  EXPECT_EQ(read.bytes, 4u);
  EXPECT_FALSE(read.at_end);
  EXPECT_TRUE(follower->wake_after(100, [&] { ++woken; }));
  leader->finish();
  EXPECT_EQ(woken, 2);  // settling wakes everyone
  EXPECT_EQ(follower->read_from(0, out).state, FlightState::kDone);
  EXPECT_FALSE(follower->wake_after(100, [&] { ++woken; }));
  EXPECT_EQ(group.in_flight(), 0u);
  EXPECT_EQ(group.join(key_n(1)).role, FlightRole::kLeader);  // a settled flight is gone
}

TEST(SingleFlight, FailureTellsFollowersToRetry) {
  SingleFlight group;
  auto leader = group.join(key_n(1)).flight;
  auto follower = group.join(key_n(1)).flight;
  leader->append("partial");
  leader->fail();
  leader->append("ignored");
  std::string out;
  EXPECT_EQ(follower->read_from(0, out).state, FlightState::kFailed);
  EXPECT_EQ(out, "partial");
  EXPECT_EQ(group.in_flight(), 0u);
}

TEST(SingleFlight, LeaderHangingUpDoesNotCancelWhileFollowersRemain) {
  SingleFlight group;
  auto leader = group.join(key_n(1)).flight;
  auto follower = group.join(key_n(1)).flight;
  int cancels = 0;
  leader->on_cancel([&] { ++cancels; });
  leader->release();  // the leader's client hangs up
  EXPECT_FALSE(leader->cancel_requested());
  leader->append("still going");
  EXPECT_EQ(group.in_flight(), 1u);
  follower->release();  // the last waiter leaves
  EXPECT_TRUE(leader->cancel_requested());
  EXPECT_EQ(cancels, 1);
  follower->release();  // extra releases are harmless
  EXPECT_EQ(cancels, 1);
  EXPECT_EQ(group.in_flight(), 0u);
  int late = 0;
  leader->on_cancel([&] { ++late; });  // registered after the fact: runs at once
  EXPECT_EQ(late, 1);
}

TEST(SingleFlight, DoneFlightIsNotCancelled) {
  SingleFlight group;
  auto leader = group.join(key_n(1)).flight;
  int cancels = 0;
  leader->on_cancel([&] { ++cancels; });
  leader->finish();
  leader->release();
  EXPECT_FALSE(leader->cancel_requested());
  EXPECT_EQ(cancels, 0);
}

// A leader thread appends while follower threads read through wake callbacks, waiting on a
// condition variable with a deadline (the engine would post to a shard instead). Every follower
// must end with the whole log. Run under TSan by tools/test.sh.
TEST(SingleFlight, ConcurrentFollowersGetEveryByte) {
  SingleFlight group;
  auto leader = group.join(key_n(9)).flight;
  constexpr int kFollowers = 4, kChunks = 500;
  std::string expected;
  for (int i = 0; i < kChunks; ++i) expected += "chunk" + std::to_string(i) + ";";
  std::vector<std::string> got(kFollowers);
  std::vector<std::thread> threads;
  for (int f = 0; f < kFollowers; ++f) {
    auto join = group.join(key_n(9));
    ASSERT_EQ(join.role, FlightRole::kFollower);
    threads.emplace_back([flight = join.flight, &out = got[f]] {
      std::mutex mu;
      std::condition_variable cv;
      bool woken = false;
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      for (int rounds = 0; rounds < 1000000; ++rounds) {
        const auto read = flight->read_from(out.size(), out);
        if (read.state != FlightState::kRunning && read.at_end) break;
        if (read.bytes > 0) continue;
        auto wake = [&] {
          std::lock_guard lock(mu);
          woken = true;
          cv.notify_one();
        };
        if (!flight->wake_after(out.size(), wake)) continue;
        std::unique_lock lock(mu);
        if (!cv.wait_until(lock, deadline, [&] { return woken; })) break;
        woken = false;
      }
      flight->release();
    });
  }
  std::thread producer([&] {
    for (int i = 0; i < kChunks; ++i) leader->append("chunk" + std::to_string(i) + ";");
    leader->finish();
  });
  producer.join();
  for (auto& t : threads) t.join();
  for (const auto& out : got) EXPECT_EQ(out, expected);
}

// Joins and releases race with the leader settling: no flight is left behind and every joiner
// gets a consistent role.
TEST(SingleFlight, ConcurrentJoinAndRelease) {
  SingleFlight group(8);
  std::atomic<int> leaders{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        auto join = group.join(key_n(static_cast<uint8_t>(i % 3)));
        if (join.role == FlightRole::kLeader) {
          leaders.fetch_add(1);
          join.flight->append("x");
          if (i % 2) join.flight->finish();
          join.flight->release();
        } else if (join.role == FlightRole::kFollower) {
          std::string out;
          join.flight->read_from(0, out);
          join.flight->release();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GT(leaders.load(), 0);
  EXPECT_EQ(group.in_flight(), 0u);
}

}  // namespace
}  // namespace ringgate::cache
