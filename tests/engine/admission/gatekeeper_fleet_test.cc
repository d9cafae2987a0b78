// Gatekeeper with fleet-wide request windows: the fleet lease is taken after the local buckets,
// a refund gives it back, and its refusals are a 429 (renewing, window spent) or a 503 (Redis
// gone, policy closed).
#include <gtest/gtest.h>

#include <map>

#include "engine/admission/admission_error.h"
#include "engine/admission/gatekeeper.h"

namespace ringgate::admission {
namespace {

constexpr uint64_t kT0 = 20'000 * kDayNs;
constexpr int64_t kNoon = 1773576000;  // 2026-03-15T12:00:00Z, a minute boundary

struct FakeFleet : FleetLeases {
  std::atomic<FleetState> state{FleetState::kUp};
  std::map<std::string, std::shared_ptr<FleetLease>> made;
  std::shared_ptr<FleetLease> lease(std::string_view scope, uint64_t limit,
                                    uint64_t window_s) override {
    auto l = std::make_shared<FleetLease>(std::string(scope), limit, window_s, 2, &state);
    made[std::string(scope)] = l;
    return l;
  }
};

struct Fixture {
  std::string key = config::generate_key().value();
  config::Config config;
  std::shared_ptr<FakeFleet> fleet = std::make_shared<FakeFleet>();
  std::shared_ptr<Gatekeeper> g;

  Fixture() {
    config.admission.mode = config::AuthMode::kKeys;
    config.admission.teams.push_back({"research", {}, {}, {}});
    config.admission.teams[0].limits.rph = 50;
    config::VirtualKey k;
    k.id = "alice";
    k.sha256 = config::sha256(key);
    k.team = "research";
    k.limits.rpm = 10;
    config.admission.keys.push_back(k);
    Gatekeeper::Options o;
    o.fleet = fleet;
    g = Gatekeeper::build(config, nullptr, o);
  }
  AdmitInput input() const {
    AdmitInput in;
    in.key = key;
    in.model_name = "m";
    in.now_ns = kT0;
    in.unix_s = kNoon + 5;
    return in;
  }
  FleetLease& lease(const std::string& scope) { return *fleet->made.at(scope); }
  uint64_t window(const std::string& scope) {
    return lease(scope).window_of(uint64_t(kNoon + 5) * 1000);
  }
};

TEST(GatekeeperFleet, LeasesPerScopeAndWindow) {
  Fixture f;
  ASSERT_EQ(f.fleet->made.size(), 2u);
  EXPECT_EQ(f.lease("key:alice:rpm").limit(), 10u);
  EXPECT_EQ(f.lease("team:research:rph").window_s(), 3600u);
}

TEST(GatekeeperFleet, AdmitsWhatTheLeasesHoldThenRefuses) {
  Fixture f;
  Decision d = f.g->admit(f.input());
  EXPECT_EQ(d.refusal.kind, RefusalKind::kRateLimited) << "no lease yet: renewing";
  EXPECT_EQ(d.refusal.retry_after_ms, 1000u);
  f.lease("key:alice:rpm").install(f.window("key:alice:rpm"), 2);
  f.lease("team:research:rph").install(f.window("team:research:rph"), 5);
  for (int i = 0; i < 2; ++i) {
    Decision ok = f.g->admit(f.input());
    ASSERT_TRUE(ok.ok()) << i;
    f.g->settle(ok.ticket, {});
  }
  Decision refused = f.g->admit(f.input());
  EXPECT_EQ(refused.refusal.kind, RefusalKind::kRateLimited);
  EXPECT_EQ(f.lease("team:research:rph").remaining(f.window("team:research:rph")), 3u)
      << "the team's lease is not spent by a request the key's lease refused";
}

TEST(GatekeeperFleet, RefundGivesTheLeaseBack) {
  Fixture f;
  f.lease("key:alice:rpm").install(f.window("key:alice:rpm"), 2);
  f.lease("team:research:rph").install(f.window("team:research:rph"), 2);
  Decision d = f.g->admit(f.input());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(f.lease("key:alice:rpm").remaining(f.window("key:alice:rpm")), 1u);
  SettleInput s;
  s.refund = true;
  f.g->settle(d.ticket, s);
  EXPECT_EQ(f.lease("key:alice:rpm").remaining(f.window("key:alice:rpm")), 2u);
  EXPECT_EQ(f.lease("team:research:rph").remaining(f.window("team:research:rph")), 2u);
}

TEST(GatekeeperFleet, SpentWindowWaitsForItsEndAndClosedPolicyIs503) {
  Fixture f;
  f.lease("key:alice:rpm").mark_exhausted(f.window("key:alice:rpm"));
  f.lease("team:research:rph").install(f.window("team:research:rph"), 2);
  Decision d = f.g->admit(f.input());
  ASSERT_EQ(d.refusal.kind, RefusalKind::kRateLimited);
  EXPECT_EQ(d.refusal.retry_after_ms, 55'000u) << "admitted at :05, the minute ends at :60";
  f.fleet->state = FleetState::kDownClosed;
  Decision down = f.g->admit(f.input());
  ASSERT_EQ(down.refusal.kind, RefusalKind::kFleetUnavailable);
  EXPECT_EQ(to_api_error(down.refusal, "m").status, 503);
}

}  // namespace
}  // namespace ringgate::admission
