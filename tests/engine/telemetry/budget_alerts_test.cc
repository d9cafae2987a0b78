// Budget alerts: each percent of each budget fires once per period, again in the next UTC day or
// month, per-budget percents replace [alerts] budget_percent, and what fired survives a reload.
// seed-defect: 000-M1
#include "engine/telemetry/budget_alerts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/admission/gatekeeper.h"
#include "engine/telemetry/budget_alert_json.h"

namespace ringgate::telemetry {
namespace {

using admission::BudgetAccount;
using admission::BudgetPeriod;
using admission::Scope;

constexpr int64_t kNoon = 1773576000;  // 2026-03-15 12:00 UTC
constexpr int64_t kDay = 86400;

std::string config_text(std::string_view alerts) {
  return std::string(R"(
[[upstreams]]
name = "mock"
url = "http://127.0.0.1:9099/v1"
[[models]]
name = "m"
upstream = "mock"
[[teams]]
name = "research"
budget = { monthly_usd = 100, alert_percent = [90] }
[[keys]]
id = "alice"
sha256 = "6c63c652df382e1540b7de1bf8359c249a60e9bd22618338032ce7286cd8a06a"
team = "research"
budget = { daily_usd = 10, total_usd = 1000 }
[[keys]]
id = "bob"
sha256 = "ce78862012f49cfb89ca7f6ec949ea59df8db5e55f751a791cda8fa61b44003b"
budget = { daily_usd = 10, alert_percent = [25, 75] }
)") + std::string(alerts);
}

std::shared_ptr<const config::Runtime> runtime_of(std::string_view alerts,
                                                  const config::Runtime* previous = nullptr) {
  config::ConfigError err;
  auto c = config::load_config_string(config_text(alerts), "t.toml", err);
  EXPECT_TRUE(c) << err.message;
  std::string why;
  std::shared_ptr<config::Runtime> rt = config::Runtime::build(std::move(*c), why);
  EXPECT_TRUE(rt) << why;
  rt->attach(
      admission::Gatekeeper::build(rt->config(), previous ? previous->gatekeeper() : nullptr));
  return rt;
}

BudgetAccount* account_of(const config::Runtime& rt, Scope scope, std::string_view name) {
  BudgetAccount* found = nullptr;
  rt.gatekeeper()->for_each_budget([&](Scope s, std::string_view n, BudgetAccount* a) {
    if (s == scope && n == name) found = a;
  });
  EXPECT_NE(found, nullptr) << name;
  return found;
}

struct Fired {
  Scope scope;
  std::string id;
  BudgetPeriod period;
  uint16_t percent;
  int64_t spent, budget;
  bool operator==(const Fired&) const = default;
};

class BudgetAlertsTest : public ::testing::Test {
 protected:
  // Spends `usd` on the accounts and returns what fired.
  std::vector<Fired> spend(const std::shared_ptr<const config::Runtime>& rt,
                           std::vector<BudgetAccount*> accounts, double usd, int64_t now) {
    fired_.clear();
    // As a settled request would, past the limit too (a reservation could not go there).
    const auto micros = int64_t(usd * 1e6 + 0.5);
    for (BudgetAccount* a : accounts) EXPECT_TRUE(a->restore({micros, micros, micros}, now));
    alerts_.on_spend(rt, accounts, now);
    return fired_;
  }

  std::vector<Fired> fired_;
  BudgetAlerts alerts_{[this](const BudgetAlert& a, const config::Config&) {
    fired_.push_back(
        {a.scope, std::string(a.id), a.period, a.percent, a.spent_micros, a.budget_micros});
  }};
};

TEST_F(BudgetAlertsTest, EachPercentFiresOncePerPeriod) {
  auto rt = runtime_of("");  // [alerts] budget_percent defaults to 80, 100
  BudgetAccount* alice = account_of(*rt, Scope::kKey, "alice");
  EXPECT_TRUE(spend(rt, {alice}, 7.9, kNoon).empty());
  EXPECT_EQ(spend(rt, {alice}, 0.1, kNoon),
            (std::vector<Fired>{
                {Scope::kKey, "alice", BudgetPeriod::kDaily, 80, 8'000'000, 10'000'000}}));
  EXPECT_TRUE(spend(rt, {alice}, 1.0, kNoon + 60).empty());
  EXPECT_EQ(spend(rt, {alice}, 1.5, kNoon + 120),
            (std::vector<Fired>{
                {Scope::kKey, "alice", BudgetPeriod::kDaily, 100, 10'500'000, 10'000'000}}));
  EXPECT_TRUE(spend(rt, {alice}, 5, kNoon + 180).empty());  // past 100%: said once
}

TEST_F(BudgetAlertsTest, ASpendPastSeveralPercentsFiresEachInOrder) {
  auto rt = runtime_of("[alerts]\nbudget_percent = [50, 80, 100]\n");
  BudgetAccount* alice = account_of(*rt, Scope::kKey, "alice");
  std::vector<Fired> f = spend(rt, {alice}, 12, kNoon);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].percent, 50);
  EXPECT_EQ(f[1].percent, 80);
  EXPECT_EQ(f[2].percent, 100);
}

TEST_F(BudgetAlertsTest, ANewUtcDayFiresTheDailyPercentsAgainButNotTheTotalOnes) {
  auto rt = runtime_of("[alerts]\nbudget_percent = [1, 50]\n");
  BudgetAccount* alice = account_of(*rt, Scope::kKey, "alice");
  std::vector<Fired> day1 = spend(rt, {alice}, 10, kNoon);  // daily 100%, total 1%
  ASSERT_EQ(day1.size(), 3u);
  EXPECT_EQ(day1[2],
            (Fired{Scope::kKey, "alice", BudgetPeriod::kTotal, 1, 10'000'000, 1'000'000'000}));
  EXPECT_TRUE(spend(rt, {alice}, 1, kNoon + 3600).empty());
  // The next day's spend starts from 0: 1% at 0.1 USD, 50% at 5; the total budget's 1% is done.
  EXPECT_EQ(
      spend(rt, {alice}, 0.2, kNoon + kDay),
      (std::vector<Fired>{{Scope::kKey, "alice", BudgetPeriod::kDaily, 1, 200'000, 10'000'000}}));
  EXPECT_EQ(spend(rt, {alice}, 5, kNoon + kDay).size(), 1u);
}

TEST_F(BudgetAlertsTest, ABudgetsOwnPercentsReplaceTheGlobalOnes) {
  auto rt = runtime_of("[alerts]\nbudget_percent = [50]\n");
  BudgetAccount* bob = account_of(*rt, Scope::kKey, "bob");
  std::vector<Fired> f = spend(rt, {bob}, 6, kNoon);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].percent, 25);  // not 50: bob's list is [25, 75]
  EXPECT_EQ(spend(rt, {bob}, 2, kNoon)[0].percent, 75);
}

TEST_F(BudgetAlertsTest, TeamsAlertOnTheirOwnBudget) {
  auto rt = runtime_of("");
  BudgetAccount* alice = account_of(*rt, Scope::kKey, "alice");
  BudgetAccount* team = account_of(*rt, Scope::kTeam, "research");
  EXPECT_TRUE(spend(rt, {alice, team}, 5, kNoon).empty());
  std::vector<Fired> f = spend(rt, {alice, team}, 85, kNoon);
  ASSERT_EQ(f.size(), 3u);  // alice's daily 80 and 100, the team's monthly 90
  EXPECT_EQ(f[2],
            (Fired{Scope::kTeam, "research", BudgetPeriod::kMonthly, 90, 90'000'000, 100'000'000}));
}

TEST_F(BudgetAlertsTest, EmptyPercentsMeanNoAlerts) {
  auto rt = runtime_of("[alerts]\nbudget_percent = []\n");
  EXPECT_TRUE(spend(rt, {account_of(*rt, Scope::kKey, "alice")}, 50, kNoon).empty());
}

TEST_F(BudgetAlertsTest, AReloadKeepsWhatFired) {
  auto rt = runtime_of("");
  BudgetAccount* alice = account_of(*rt, Scope::kKey, "alice");
  EXPECT_EQ(spend(rt, {alice}, 8, kNoon).size(), 1u);
  auto next = runtime_of("\n", rt.get());  // same store: the same account
  ASSERT_EQ(account_of(*next, Scope::kKey, "alice"), alice);
  EXPECT_TRUE(spend(next, {alice}, 0.5, kNoon).empty());
  EXPECT_EQ(spend(next, {alice}, 2, kNoon)[0].percent, 100);
}

TEST(BudgetAlertJson, LogLineAndWebhookBodyNameIdsAndExactAmounts) {
  BudgetAlert a{Scope::kKey, "alice", BudgetPeriod::kDaily, 80, 8'500'001, 10'000'000, kNoon};
  EXPECT_EQ(budget_alert_log_line(a),
            R"({"level":"warn","event":"budget_alert","scope":"key","id":"alice",)"
            R"("period":"daily","period_start":"2026-03-15","percent":80,)"
            R"("spent_usd":"8.500001","budget_usd":"10"})"
            "\n");
  a.scope = Scope::kTeam;
  a.period = BudgetPeriod::kTotal;
  a.id = "r\"d";
  EXPECT_EQ(
      budget_alert_webhook_body(a),
      R"({"event":"budget_alert","scope":"team","id":"r\"d","period":"total",)"
      R"("percent":80,"spent_usd":"8.500001","budget_usd":"10",)"
      R"j("text":"ringgate: team r\"d reached 80% of its total budget (8.500001 of 10 USD)"})j");
}

}  // namespace
}  // namespace ringgate::telemetry
