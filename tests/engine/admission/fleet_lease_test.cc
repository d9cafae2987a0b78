#include "engine/admission/fleet_lease.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <thread>
#include <vector>

namespace ringgate::admission {
namespace {

constexpr uint64_t kMinuteMs = 60'000;
constexpr uint64_t kT0 = 1'700'000'040'000;  // inside a minute window

TEST(FleetLease, SpendsOnlyWhatWasGrantedInItsWindow) {
  std::atomic<FleetState> state{FleetState::kUp};
  FleetLease lease("key:a:rpm", 100, 60, 10, &state);
  EXPECT_TRUE(lease.wants_renewal()) << "a fresh lease asks at once";
  EXPECT_EQ(lease.try_take(kT0), FleetLease::Take::kRenewing);
  const uint64_t w = lease.window_of(kT0);
  lease.install(w, 10);
  EXPECT_FALSE(lease.wants_renewal());
  for (int i = 0; i < 10; ++i) ASSERT_EQ(lease.try_take(kT0), FleetLease::Take::kOk) << i;
  EXPECT_EQ(lease.try_take(kT0), FleetLease::Take::kRenewing);
  // The next window's word is empty: this window's lease is never spent there.
  lease.install(w, 3);
  EXPECT_EQ(lease.try_take(kT0 + kMinuteMs), FleetLease::Take::kRenewing);
  EXPECT_EQ(lease.remaining(w), 3u);
}

TEST(FleetLease, AsksForRenewalAtTheLowWaterMark) {
  std::atomic<FleetState> state{FleetState::kUp};
  FleetLease lease("key:a:rpm", 100, 60, 10, &state);
  const uint64_t w = lease.window_of(kT0);
  lease.install(w, 10);
  for (int i = 0; i < 4; ++i) lease.try_take(kT0);
  EXPECT_FALSE(lease.wants_renewal()) << "6 left, low water is 5";
  lease.try_take(kT0);
  EXPECT_TRUE(lease.wants_renewal()) << "5 left: renew while 5 remain, no request waits";
  EXPECT_EQ(lease.remaining(w), 5u);
}

TEST(FleetLease, WakesTheFleetThreadOncePerRenewal) {
  std::atomic<FleetState> state{FleetState::kUp};
  const int fd = eventfd(0, EFD_NONBLOCK);
  ASSERT_GE(fd, 0);
  FleetLease lease("key:a:rpm", 100, 60, 10, &state, fd);
  lease.install(lease.window_of(kT0), 10);
  uint64_t count = 0;
  EXPECT_LT(read(fd, &count, sizeof count), 0) << "nothing asked yet";
  for (int i = 0; i < 8; ++i) lease.try_take(kT0);  // crosses the low-water mark at 5 left
  ASSERT_EQ(read(fd, &count, sizeof count), ssize_t(sizeof count));
  EXPECT_EQ(count, 1u) << "one wake for the renewal, not one per take";
  close(fd);
}

TEST(FleetLease, NextWindowInstalledAheadAndOldWindowReplaced) {
  std::atomic<FleetState> state{FleetState::kUp};
  FleetLease lease("key:a:rpm", 100, 60, 10, &state);
  const uint64_t w = lease.window_of(kT0);
  lease.install(w, 2);
  lease.install(w + 1, 7);  // prefetched before w ends
  EXPECT_EQ(lease.remaining(w), 2u);
  EXPECT_EQ(lease.try_take(kT0 + kMinuteMs), FleetLease::Take::kOk);
  EXPECT_EQ(lease.remaining(w + 1), 6u);
  lease.install(w + 2, 4);  // same word as w: w's leftover is gone, never carried over
  EXPECT_EQ(lease.remaining(w), 0u);
  EXPECT_EQ(lease.remaining(w + 2), 4u);
}

TEST(FleetLease, ReturnsGiveBackAndExhaustion) {
  std::atomic<FleetState> state{FleetState::kUp};
  FleetLease lease("team:r:rpm", 100, 60, 10, &state);
  const uint64_t w = lease.window_of(kT0);
  lease.install(w, 5);
  lease.try_take(kT0);
  lease.give_back(w);
  lease.give_back(w + 1);  // another window: nothing to give back to
  EXPECT_EQ(lease.remaining(w), 5u);
  EXPECT_EQ(lease.take_remaining(w), 5u);
  EXPECT_EQ(lease.remaining(w), 0u);
  lease.mark_exhausted(w);
  lease.clear_renewal();
  EXPECT_EQ(lease.try_take(kT0), FleetLease::Take::kExhausted);
  EXPECT_FALSE(lease.wants_renewal()) << "an exhausted window asks Redis no more";
  EXPECT_EQ(lease.try_take(kT0 + kMinuteMs), FleetLease::Take::kRenewing);
}

TEST(FleetLease, RedisDownPolicies) {
  std::atomic<FleetState> state{FleetState::kDownClosed};
  FleetLease lease("key:a:rpm", 100, 60, 10, &state);
  const uint64_t w = lease.window_of(kT0);
  lease.install(w, 1);
  EXPECT_EQ(lease.try_take(kT0), FleetLease::Take::kOk) << "a granted lease stays spendable";
  EXPECT_EQ(lease.try_take(kT0), FleetLease::Take::kUnavailable);
  state = FleetState::kDownLocal;
  EXPECT_EQ(lease.try_take(kT0), FleetLease::Take::kExhausted) << "the local share is spent";
}

TEST(FleetLease, SliceClampedToTheLimit) {
  std::atomic<FleetState> state{FleetState::kUp};
  EXPECT_EQ(FleetLease("k", 3, 60, 50, &state).slice(), 3u);
  EXPECT_EQ(FleetLease("k", 3, 60, 0, &state).slice(), 1u);
}

// Shards take while the fleet thread installs grants: exactly the granted amount is spent.
TEST(FleetLease, ConcurrentTakesSpendExactlyTheGrants) {
  std::atomic<FleetState> state{FleetState::kUp};
  FleetLease lease("key:a:rpm", 1'000'000, 60, 1000, &state);
  const uint64_t w = lease.window_of(kT0);
  constexpr int kGrants = 200, kGrant = 50, kThreads = 4;
  std::atomic<bool> done{false};
  std::atomic<uint64_t> taken{0};
  std::vector<std::thread> shards;
  for (int t = 0; t < kThreads; ++t) {
    shards.emplace_back([&] {
      uint64_t mine = 0;
      while (true) {
        if (lease.try_take(kT0) == FleetLease::Take::kOk) {
          ++mine;
        } else if (done.load(std::memory_order_acquire) && lease.remaining(w) == 0) {
          break;
        }
      }
      taken += mine;
    });
  }
  for (int g = 0; g < kGrants; ++g) lease.install(w, kGrant);
  done.store(true, std::memory_order_release);
  for (auto& s : shards) s.join();
  EXPECT_EQ(taken.load(), uint64_t(kGrants) * kGrant);
}

}  // namespace
}  // namespace ringgate::admission
