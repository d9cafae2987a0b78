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
  bool exact = false;
  std::map<std::string, std::shared_ptr<FleetLease>> made;
  std::shared_ptr<FleetLease> lease(std::string_view scope, uint64_t limit,
                                    uint64_t window_s) override {
    auto l = std::make_shared<FleetLease>(std::string(scope), limit, window_s, 2, &state, -1,
                                          FleetWindow::kSeconds, exact);
    made[std::string(scope)] = l;
    return l;
  }
  std::shared_ptr<FleetLease> budget_lease(std::string_view scope, uint64_t limit,
                                           FleetWindow kind) override {
    auto l =
        std::make_shared<FleetLease>(std::string(scope), limit, 86'400, 100'000, &state, -1, kind);
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

TEST(GatekeeperFleet, ExactModeAsksAndWaitsInsteadOfRefusing) {
  Fixture f;
  f.fleet->exact = true;
  Gatekeeper::Options o;
  o.fleet = f.fleet;
  f.g = Gatekeeper::build(f.config, nullptr, o);
  f.lease("team:research:rph").install(f.window("team:research:rph"), 5);
  Decision d = f.g->admit(f.input());
  ASSERT_EQ(d.refusal.kind, RefusalKind::kFleetPending);
  EXPECT_EQ(f.lease("key:alice:rpm").take_asked(), 1u);
  EXPECT_EQ(f.lease("team:research:rph").remaining(f.window("team:research:rph")), 5u)
      << "nothing stays taken while the request waits";
  f.lease("key:alice:rpm").install(f.window("key:alice:rpm"), 1);
  EXPECT_TRUE(f.g->admit(f.input()).ok()) << "admitted again once Redis granted";
  AdmitInput open = f.input();
  open.skip_exact_fleet = true;  // timed out under on_redis_down = "local"
  EXPECT_TRUE(f.g->admit(open).ok());
  EXPECT_EQ(f.lease("key:alice:rpm").take_asked(), 0u);
}

// A team budget with [cluster]: reserved from the node's lease of microdollars, the unspent part
// of a reservation given back to the lease, and the fleet's answers mapped to 429, 402 and 503.
struct BudgetFixture : Fixture {
  BudgetFixture() {
    config.admission.teams[0].limits = {};
    config.admission.keys[0].limits = {};
    config.admission.teams[0].budget.daily_micros = 1'000'000;
    config.admission.teams[0].budget.total_micros = 5'000'000;
    models.push_back({});
    models[0].name = "m";
    models[0].price.output_per_mtok_micros = 1'000'000'000;  // 1000 USD/Mtok: 1000 micros a token
    models[0].price.set = true;
    Gatekeeper::Options o;
    o.fleet = fleet;
    g = Gatekeeper::build(config, nullptr, o);
  }
  AdmitInput priced(uint64_t max_tokens) {
    AdmitInput in = input();
    in.model = &models[0];
    in.max_output_tokens = max_tokens;
    return in;
  }
  std::vector<config::Model> models;
};

TEST(GatekeeperFleet, BudgetReservesFromTheLeaseAndSettlesTheRestBack) {
  BudgetFixture f;
  FleetLease& daily = f.lease("budget:team:research:daily");
  FleetLease& total = f.lease("budget:team:research:total");
  EXPECT_EQ(total.kind(), FleetWindow::kForever);
  const uint64_t day = daily.window_of(uint64_t(kNoon) * 1000);
  EXPECT_EQ(day, uint64_t(kNoon / 86'400)) << "a daily lease's window is the UTC day";
  Decision first = f.g->admit(f.priced(100));
  ASSERT_EQ(first.refusal.kind, RefusalKind::kBudgetRenewing) << "no lease yet: a renewal";
  EXPECT_EQ(to_api_error(first.refusal, "m").status, 429);
  EXPECT_EQ(first.refusal.retry_after_ms, 1000u);
  EXPECT_EQ(daily.take_need(), 100'000u) << "the grant must cover the reservation";
  daily.install(day, 300'000);
  total.install(0, 300'000);
  Decision d = f.g->admit(f.priced(100));  // reserves 0.10 USD in each period
  ASSERT_TRUE(d.ok()) << int(d.refusal.kind);
  EXPECT_EQ(daily.remaining(day), 200'000u);
  EXPECT_EQ(total.remaining(0), 200'000u);
  SettleInput s;
  s.cost_micros = 40'000;  // it cost 0.04: 0.06 goes back to the leases
  s.unix_s = kNoon + 5;
  f.g->settle(d.ticket, s);
  EXPECT_EQ(daily.remaining(day), 260'000u);
  EXPECT_EQ(total.remaining(0), 260'000u);
  BudgetAccount* team = nullptr;
  f.g->for_each_budget([&](Scope, std::string_view, BudgetAccount* a) { team = a; });
  ASSERT_NE(team, nullptr);
  EXPECT_EQ(team->usage(BudgetPeriod::kDaily, kNoon).spent_micros, 40'000);
  EXPECT_EQ(team->usage(BudgetPeriod::kDaily, kNoon).limit_micros, 1'000'000);
}

TEST(GatekeeperFleet, BudgetCostAboveItsReservationIsOwedToTheFleet) {
  BudgetFixture f;
  FleetLease& daily = f.lease("budget:team:research:daily");
  const uint64_t day = daily.window_of(uint64_t(kNoon) * 1000);
  daily.install(day, 120'000);
  f.lease("budget:team:research:total").install(0, 1'000'000);
  Decision d = f.g->admit(f.priced(100));
  ASSERT_TRUE(d.ok());
  SettleInput s;
  s.cost_micros = 150'000;  // 0.05 past the reservation: 0.02 from the lease, 0.03 owed
  s.unix_s = kNoon + 5;
  f.g->settle(d.ticket, s);
  EXPECT_EQ(daily.remaining(day), 0u);
  EXPECT_EQ(daily.take_debt(), 30'000u);
  EXPECT_EQ(daily.take_debt(), 0u) << "read once";
}

TEST(GatekeeperFleet, SpentFleetBudgetIs402AndClosedPolicyIs503) {
  BudgetFixture f;
  FleetLease& daily = f.lease("budget:team:research:daily");
  FleetLease& total = f.lease("budget:team:research:total");
  const uint64_t day = daily.window_of(uint64_t(kNoon) * 1000);
  daily.install(day, 1'000'000);
  total.set_fleet_used(5'000'000);
  total.mark_exhausted(0);
  Decision d = f.g->admit(f.priced(100));
  ASSERT_EQ(d.refusal.kind, RefusalKind::kBudgetExceeded);
  EXPECT_EQ(d.refusal.budget.period, BudgetPeriod::kTotal);
  EXPECT_EQ(d.refusal.budget.spent_micros, 5'000'000);
  EXPECT_EQ(to_api_error(d.refusal, "m").status, 402);
  EXPECT_EQ(daily.remaining(day), 1'000'000u) << "the daily take was given back";
  f.fleet->state = FleetState::kDownClosed;
  Decision down = f.g->admit(f.priced(100));
  ASSERT_EQ(down.refusal.kind, RefusalKind::kFleetUnavailable);
  EXPECT_EQ(to_api_error(down.refusal, "m").status, 503);
}

}  // namespace
}  // namespace ringgate::admission
