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

TEST(FleetLease, ExactLeaseAsksOncePerFailedTakeAndHoldsNoSlack) {
  std::atomic<FleetState> state{FleetState::kUp};
  const int fd = eventfd(0, EFD_NONBLOCK);
  ASSERT_GE(fd, 0);
  FleetLease lease("key:a:rpm", 100, 60, 1, &state, fd, FleetWindow::kSeconds, true);
  EXPECT_TRUE(lease.exact());
  EXPECT_EQ(lease.try_take(kT0), FleetLease::Take::kRenewing);
  EXPECT_EQ(lease.try_take(kT0), FleetLease::Take::kRenewing);
  EXPECT_EQ(lease.take_asked(), 2u) << "one ask per waiting request";
  uint64_t count = 0;
  ASSERT_EQ(read(fd, &count, sizeof count), ssize_t(sizeof count));
  EXPECT_EQ(count, 1u) << "the first ask since the thread collected wakes it";
  lease.install(lease.window_of(kT0), 2);
  lease.clear_renewal();
  EXPECT_EQ(lease.try_take(kT0), FleetLease::Take::kOk);
  EXPECT_EQ(lease.try_take(kT0), FleetLease::Take::kOk);
  EXPECT_FALSE(lease.wants_renewal()) << "no renewal ahead of need";
  EXPECT_EQ(lease.take_asked(), 0u);
  close(fd);
}

TEST(FleetLease, BudgetTakesAmountsAndAsksForWhatAFailedTakeNeeds) {
  std::atomic<FleetState> state{FleetState::kUp};
  FleetLease lease("budget:team:r:daily", 10'000'000, 86'400, 1'000'000, &state);
  const uint64_t day = lease.window_of(kT0);
  EXPECT_EQ(day, kT0 / 1000 / 86'400);
  lease.install(day, 1'000'000);
  EXPECT_EQ(lease.try_take(kT0, 0), FleetLease::Take::kOk) << "a free request takes nothing";
  EXPECT_EQ(lease.try_take(kT0, 700'000), FleetLease::Take::kOk);
  EXPECT_TRUE(lease.wants_renewal()) << "300000 left, low water 500000";
  EXPECT_EQ(lease.try_take(kT0, 400'000), FleetLease::Take::kRenewing) << "never half a take";
  EXPECT_EQ(lease.remaining(day), 300'000u);
  EXPECT_EQ(lease.take_need(), 400'000u);
  lease.give_back(day, 100'000);  // a settle that cost less than its reservation
  EXPECT_EQ(lease.remaining(day), 400'000u);
  lease.charge_extra(day, 450'000);  // one that cost more: the lease covers 400000, 50000 owed
  EXPECT_EQ(lease.remaining(day), 0u);
  EXPECT_EQ(lease.take_debt(), 50'000u);
}

TEST(FleetLease, CalendarMonthAndAllTimeWindows) {
  std::atomic<FleetState> state{FleetState::kUp};
  FleetLease month("budget:k:monthly", 100, 31 * 86'400, 10, &state, -1, FleetWindow::kUtcMonth);
  FleetLease total("budget:k:total", 100, 400 * 86'400, 10, &state, -1, FleetWindow::kForever);
  const uint64_t feb29 = 1'709'208'000'000;  // 2024-02-29T12:00:00Z
  EXPECT_EQ(month.window_of(feb29), uint64_t((2024 - 1970) * 12 + 1));
  EXPECT_EQ(month.window_end_ms(month.window_of(feb29)), 1'709'251'200'000u) << "2024-03-01";
  EXPECT_EQ(month.window_end_ms((2024 - 1970) * 12 + 11), 1'735'689'600'000u) << "2025-01-01";
  EXPECT_EQ(total.window_of(feb29), 0u);
  EXPECT_EQ(total.window_end_ms(0), UINT64_MAX);
  total.install(0, 5);
  EXPECT_EQ(total.try_take(feb29 + 400 * 86'400'000ull, 5), FleetLease::Take::kOk);
}

TEST(FleetLease, SpentLongWindowIsAskedAgainAtMostOnceASecond) {
  std::atomic<FleetState> state{FleetState::kUp};
  FleetLease lease("budget:k:daily", 100, 86'400, 10, &state);
  const uint64_t day = lease.window_of(kT0);
  lease.mark_exhausted(day, kT0);
  lease.clear_renewal();
  EXPECT_EQ(lease.try_take(kT0 + 500, 5), FleetLease::Take::kExhausted);
  EXPECT_FALSE(lease.wants_renewal());
  EXPECT_EQ(lease.try_take(kT0 + 1000, 5), FleetLease::Take::kExhausted);
  EXPECT_TRUE(lease.wants_renewal()) << "another node may have returned its lease";
  EXPECT_EQ(lease.take_need(), 5u);
}

// Shards reserve and settle microdollars while the fleet thread installs grants: what is kept
// (reserved minus given back) is exactly what was granted.
TEST(FleetLease, ConcurrentBudgetTakesAndGiveBacksKeepTheSum) {
  std::atomic<FleetState> state{FleetState::kUp};
  FleetLease lease("budget:t:daily", 1ull << 38, 86'400, 1 << 20, &state);
  const uint64_t w = lease.window_of(kT0);
  constexpr int kGrants = 200, kThreads = 4;
  constexpr uint64_t kGrant = 10'000, kReserve = 300, kCost = 100;
  std::atomic<bool> done{false};
  std::atomic<uint64_t> kept{0};
  std::vector<std::thread> shards;
  for (int t = 0; t < kThreads; ++t) {
    shards.emplace_back([&] {
      uint64_t mine = 0;
      while (true) {
        if (lease.try_take(kT0, kReserve) == FleetLease::Take::kOk) {
          lease.give_back(w, kReserve - kCost);
          mine += kCost;
        } else if (done.load(std::memory_order_acquire) && lease.remaining(w) < kReserve) {
          break;
        }
      }
      kept += mine;
    });
  }
  for (int g = 0; g < kGrants; ++g) lease.install(w, kGrant);
  done.store(true, std::memory_order_release);
  for (auto& s : shards) s.join();
  EXPECT_EQ(kept.load() + lease.remaining(w), uint64_t(kGrants) * kGrant);
}

}  // namespace
}  // namespace ringgate::admission
