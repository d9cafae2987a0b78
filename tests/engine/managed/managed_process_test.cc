// ManagedProcess is written by the supervisor and read and nudged by every shard: its waiting room
// and its start request must hold under threads (run under TSan by tools/test.sh).
#include "engine/managed/managed_process.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace ringgate::managed {
namespace {

config::ManagedServer server(uint32_t max_queued) {
  config::ManagedServer s;
  s.enabled = true;
  s.command = {"true"};
  s.port = 18600;
  s.max_queued = max_queued;
  return s;
}

TEST(ManagedProcess, OneStartRequestHoweverManyAsk) {
  ManagedProcess p(server(64));
  std::atomic<int> wakes{0};
  std::vector<std::thread> shards;
  for (int i = 0; i < 8; ++i) {
    shards.emplace_back([&] {
      for (int k = 0; k < 1000; ++k) {
        if (p.want_start()) wakes.fetch_add(1);
      }
    });
  }
  for (auto& t : shards) t.join();
  EXPECT_EQ(wakes.load(), 1);  // 004-P2: the supervisor is asked once
  EXPECT_TRUE(p.take_start_wanted());
  EXPECT_FALSE(p.take_start_wanted());
  EXPECT_TRUE(p.want_start());  // asked again after it was taken
}

TEST(ManagedProcess, WaitingRoomNeverExceedsMaxQueued) {
  constexpr uint32_t kMax = 5;
  ManagedProcess p(server(kMax));
  std::atomic<uint32_t> inside{0}, peak{0}, refused{0};
  std::vector<std::thread> shards;
  for (int i = 0; i < 8; ++i) {
    shards.emplace_back([&] {
      for (int k = 0; k < 2000; ++k) {
        if (!p.enter_queue()) {
          refused.fetch_add(1);
          continue;
        }
        const uint32_t now = inside.fetch_add(1) + 1;
        uint32_t seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        inside.fetch_sub(1);
        p.leave_queue();
      }
    });
  }
  for (auto& t : shards) t.join();
  EXPECT_LE(peak.load(), kMax);
  EXPECT_EQ(p.queued(), 0u);
}

TEST(ManagedProcess, StateAndRequestsAcrossThreads) {
  ManagedProcess p(server(1));
  std::thread supervisor([&] {
    p.set_state(ManagedState::kStarting);
    p.pid.store(1234);
    p.set_state(ManagedState::kReady);
  });
  std::vector<std::thread> shards;
  for (int i = 0; i < 4; ++i) {
    shards.emplace_back([&] {
      while (p.state() != ManagedState::kReady) std::this_thread::yield();
      EXPECT_EQ(p.pid.load(), 1234);  // published before kReady
      for (int k = 0; k < 500; ++k) {
        p.begin_request();
        p.end_request();
      }
    });
  }
  supervisor.join();
  for (auto& t : shards) t.join();
  EXPECT_EQ(p.requests(), 2000u);
  EXPECT_EQ(p.in_flight(), 0);
  EXPECT_GT(p.last_used_ms(), 0u);
}

TEST(ManagedState, Names) {
  EXPECT_EQ(to_string(ManagedState::kStopped), "stopped");
  EXPECT_EQ(to_string(ManagedState::kStarting), "starting");
  EXPECT_EQ(to_string(ManagedState::kReady), "ready");
  EXPECT_EQ(to_string(ManagedState::kStopping), "stopping");
  EXPECT_EQ(to_string(ManagedState::kFailed), "failed");
}

}  // namespace
}  // namespace ringgate::managed
