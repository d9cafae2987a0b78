// CircuitBreaker: each opening rule, the one probe after the cooldown, stale permits that must
// not close or double anything, abandoned probes, and a seeded random interleaving of many
// concurrent requests that checks one probe at a time and every transition.
#include "engine/upstream/circuit_breaker.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace ringgate::upstream {
namespace {

constexpr uint64_t kT0 = 1'000'000;

BreakerOptions streak_only(uint32_t n) {
  BreakerOptions o;
  o.consecutive_failures = n;
  o.min_window_requests = 1'000'000;  // the window rule never fires
  return o;
}

void fail_n(CircuitBreaker& b, int n, uint64_t now) {
  for (int i = 0; i < n; ++i) b.record(b.admit(now), false, now);
}

TEST(CircuitBreaker, OpensOnConsecutiveFailuresAndSuccessResetsTheStreak) {
  CircuitBreaker b(streak_only(3));
  fail_n(b, 2, kT0);
  b.record(b.admit(kT0), true, kT0);
  fail_n(b, 2, kT0);
  EXPECT_EQ(b.state(kT0), BreakerState::kClosed);
  fail_n(b, 1, kT0);
  EXPECT_EQ(b.state(kT0), BreakerState::kOpen);
  EXPECT_EQ(b.admit(kT0).kind, Permit::kRefused);
  EXPECT_EQ(b.retry_at_ms(), kT0 + 5000);
}

// seed-defect: 000-M2 (error rate: numerator and denominator over the same window)
TEST(CircuitBreaker, ErrorRateCountsOnlyTheWindow) {
  BreakerOptions o;
  o.consecutive_failures = 0;
  o.window_ms = 10000;
  o.min_window_requests = 20;
  o.error_rate = 0.5;
  CircuitBreaker b(o);
  // A long healthy past: 10000 successes, long before the window. With an all-time denominator
  // the rate below would be 10/10010 and the breaker would stay closed.
  for (int i = 0; i < 10000; ++i) b.record(b.admit(kT0), true, kT0);
  const uint64_t later = kT0 + 60000;
  for (int i = 0; i < 10; ++i) b.record(b.admit(later), true, later);
  for (int i = 0; i < 9; ++i) b.record(b.admit(later), false, later);
  EXPECT_EQ(b.state(later), BreakerState::kClosed);  // 19 < min_window_requests
  b.record(b.admit(later), false, later);            // 10 of 20 in the window
  EXPECT_EQ(b.state(later), BreakerState::kOpen);
}

// seed-defect: 000-M2 (failures that left the window no longer count)
TEST(CircuitBreaker, FailuresAgeOutOfTheWindow) {
  BreakerOptions o;
  o.consecutive_failures = 0;
  o.min_window_requests = 20;
  CircuitBreaker b(o);
  for (int i = 0; i < 19; ++i) b.record(b.admit(kT0), i % 2 == 0, kT0);  // 10 failures of 19
  const uint64_t later = kT0 + 10000;  // the old bucket has left the 10 s window
  for (int i = 0; i < 19; ++i) b.record(b.admit(later), true, later);
  b.record(b.admit(later), false, later);  // 1 of 20 now
  EXPECT_EQ(b.state(later), BreakerState::kClosed);
}

TEST(CircuitBreaker, BelowMinimumRequestsTheRateRuleWaits) {
  BreakerOptions o;
  o.consecutive_failures = 0;
  o.min_window_requests = 20;
  CircuitBreaker b(o);
  fail_n(b, 19, kT0);
  EXPECT_EQ(b.state(kT0), BreakerState::kClosed);
  fail_n(b, 1, kT0);
  EXPECT_EQ(b.state(kT0), BreakerState::kOpen);
}

// seed-defect: 000-C2 (one probe after the cooldown; the others are refused while it is out)
TEST(CircuitBreaker, ExactlyOneProbeAfterTheCooldown) {
  CircuitBreaker b(streak_only(1));
  fail_n(b, 1, kT0);
  EXPECT_EQ(b.admit(kT0 + 4999).kind, Permit::kRefused);
  EXPECT_EQ(b.state(kT0 + 5000), BreakerState::kHalfOpen);
  const Permit probe = b.admit(kT0 + 5000);
  EXPECT_EQ(probe.kind, Permit::kProbe);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(b.admit(kT0 + 5000 + i).kind, Permit::kRefused);
  b.record(probe, true, kT0 + 5200);
  EXPECT_EQ(b.state(kT0 + 5200), BreakerState::kClosed);
  EXPECT_EQ(b.admit(kT0 + 5200).kind, Permit::kNormal);
}

// seed-defect: 000-C2 (an ordinary success while half-open does not close the breaker)
TEST(CircuitBreaker, StaleNormalSuccessDoesNotClose) {
  CircuitBreaker b(streak_only(1));
  const Permit old = b.admit(kT0);  // in flight when the breaker opens
  fail_n(b, 1, kT0);
  const Permit probe = b.admit(kT0 + 5000);
  ASSERT_EQ(probe.kind, Permit::kProbe);
  b.record(old, true, kT0 + 5001);
  EXPECT_EQ(b.state(kT0 + 5001), BreakerState::kHalfOpen);
  EXPECT_TRUE(b.probe_out());
  EXPECT_EQ(b.admit(kT0 + 5001).kind, Permit::kRefused);
}

// seed-defect: 000-C2 (a stale failure neither re-opens nor doubles the cooldown)
TEST(CircuitBreaker, StaleNormalFailureDoesNotDoubleTheCooldown) {
  CircuitBreaker b(streak_only(1));
  const Permit old = b.admit(kT0);
  fail_n(b, 1, kT0);
  const Permit probe = b.admit(kT0 + 5000);
  b.record(old, false, kT0 + 5001);
  EXPECT_EQ(b.cooldown_ms(), 5000u);
  EXPECT_EQ(b.state(kT0 + 5001), BreakerState::kHalfOpen);
  b.record(probe, true, kT0 + 5002);
  EXPECT_EQ(b.state(kT0 + 5002), BreakerState::kClosed);
}

TEST(CircuitBreaker, FailedProbesDoubleTheCooldownUpToTheCapAndCloseResetsIt) {
  BreakerOptions o = streak_only(1);
  o.cooldown_ms = 1000;
  o.max_cooldown_ms = 5000;
  CircuitBreaker b(o);
  fail_n(b, 1, kT0);
  uint64_t now = kT0;
  const uint32_t expected[] = {2000, 4000, 5000, 5000};
  for (uint32_t want : expected) {
    now = b.retry_at_ms();
    const Permit probe = b.admit(now);
    ASSERT_EQ(probe.kind, Permit::kProbe);
    b.record(probe, false, now);
    EXPECT_EQ(b.cooldown_ms(), want);
    EXPECT_EQ(b.retry_at_ms(), now + want);
    EXPECT_EQ(b.state(now), BreakerState::kOpen);
  }
  now = b.retry_at_ms();
  b.record(b.admit(now), true, now);
  EXPECT_EQ(b.cooldown_ms(), 1000u);
  fail_n(b, 1, now);
  EXPECT_EQ(b.retry_at_ms(), now + 1000);
}

TEST(CircuitBreaker, AbandonedProbeFreesTheSlotAndItsLateResultIsIgnored) {
  CircuitBreaker b(streak_only(1));
  fail_n(b, 1, kT0);
  const Permit first = b.admit(kT0 + 5000);
  ASSERT_EQ(first.kind, Permit::kProbe);
  EXPECT_EQ(b.admit(kT0 + 5000).kind, Permit::kRefused);
  b.abandon(first, kT0 + 5001);
  const Permit second = b.admit(kT0 + 5002);
  ASSERT_EQ(second.kind, Permit::kProbe);
  EXPECT_NE(second.generation, first.generation);
  b.record(first, true, kT0 + 5003);  // the abandoned one speaks for nobody
  EXPECT_EQ(b.state(kT0 + 5003), BreakerState::kHalfOpen);
  b.record(second, true, kT0 + 5004);
  EXPECT_EQ(b.state(kT0 + 5004), BreakerState::kClosed);
}

TEST(CircuitBreaker, AbandonedNormalPermitCountsNothing) {
  CircuitBreaker b(streak_only(2));
  fail_n(b, 1, kT0);
  b.abandon(b.admit(kT0), kT0);
  EXPECT_EQ(b.state(kT0), BreakerState::kClosed);
  fail_n(b, 1, kT0);
  EXPECT_EQ(b.state(kT0), BreakerState::kOpen);
}

// seed-defect: 000-C2 (many concurrent requests, seeded random interleavings: one probe at a
// time, only a probe's own result moves the breaker out of half-open)
TEST(CircuitBreaker, RandomInterleavingsKeepOneProbeAndLegalTransitions) {
  for (uint32_t seed = 1; seed <= 50; ++seed) {
    std::mt19937_64 rng(seed);
    BreakerOptions o;
    o.consecutive_failures = 4;
    o.min_window_requests = 8;
    o.cooldown_ms = 100;
    o.max_cooldown_ms = 1600;
    CircuitBreaker b(o);
    std::vector<Permit> in_flight;
    uint64_t now = kT0;
    int probes_seen = 0, closes = 0;
    for (int step = 0; step < 20000; ++step) {
      const BreakerState before = b.state(now);
      const uint32_t cooldown_before = b.cooldown_ms();
      const uint64_t op = rng() % 10;
      bool probe_success = false, probe_failure = false;
      if (op < 4) {
        const Permit p = b.admit(now);
        if (p.kind == Permit::kProbe) ++probes_seen;
        if (p.kind != Permit::kRefused) in_flight.push_back(p);
      } else if (op < 9 && !in_flight.empty()) {
        const size_t i = rng() % in_flight.size();
        const Permit p = in_flight[i];
        in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(i));
        if (op == 8) {
          b.abandon(p, now);
        } else {
          const bool ok = rng() % 100 < 60;
          const bool live_probe = p.kind == Permit::kProbe && p.generation == b.generation();
          probe_success = live_probe && ok;
          probe_failure = live_probe && !ok;
          b.record(p, ok, now);
        }
      } else {
        now += rng() % 40;
      }
      int probes_out = 0;
      for (const Permit& p : in_flight) probes_out += p.kind == Permit::kProbe;
      ASSERT_LE(probes_out, 1) << "seed " << seed << " step " << step;
      const BreakerState after = b.state(now);
      if (before != BreakerState::kClosed && after == BreakerState::kClosed) {
        ASSERT_TRUE(probe_success) << "seed " << seed << " step " << step;
        ++closes;
      }
      if (b.cooldown_ms() != cooldown_before && after != BreakerState::kClosed) {
        ASSERT_TRUE(probe_failure) << "seed " << seed << " step " << step;
      }
      if (probe_failure) {
        ASSERT_EQ(after, BreakerState::kOpen);
      }
      if (before == BreakerState::kHalfOpen && after == BreakerState::kOpen) {
        ASSERT_TRUE(probe_failure) << "seed " << seed << " step " << step;
      }
    }
    EXPECT_GT(probes_seen, 10) << "seed " << seed;  // the run did exercise half-open
    EXPECT_GT(closes, 1) << "seed " << seed;
  }
}

}  // namespace
}  // namespace ringgate::upstream
