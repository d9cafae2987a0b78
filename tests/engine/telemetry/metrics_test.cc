#include "engine/telemetry/metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

namespace ringgate::telemetry {
namespace {

config::Config test_config() {
  config::Config c;
  c.upstreams.resize(2);
  c.upstreams[0].name = "openai";
  c.upstreams[1].name = "anthropic";
  c.models.resize(2);
  c.models[0].name = "gpt-4o";
  c.models[0].upstream = "openai";
  c.models[1].name = "claude";
  c.models[1].upstream = "anthropic";
  c.admission.teams.resize(1);
  c.admission.teams[0].name = "research";
  c.admission.keys.resize(2);
  c.admission.keys[0].id = "alice";
  c.admission.keys[0].team = "research";
  c.admission.keys[1].id = "bob";
  return c;
}

// The samples of a scrape, "name{labels}" -> value; comments left out.
std::map<std::string, std::string> samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.rfind(' ');
    out[line.substr(0, sp)] = line.substr(sp + 1);
  }
  return out;
}

struct Fixture {
  config::Config cfg = test_config();
  ShardMetrics shard[2];
  RecordRing rings[2]{RecordRing(2), RecordRing(2)};
  uint64_t open[2] = {3, 4};
  MetricsRegistry registry;

  Fixture() {
    auto layout = MetricsLayout::build(cfg);
    for (int i = 0; i < 2; ++i) {
      shard[i].adopt(layout);
      registry.add_shard({&shard[i], &rings[i], [this, i] { return open[i]; }});
    }
    registry.accounting().adopt(layout);
  }
  std::map<std::string, std::string> scrape(bool open_access = false) {
    std::string out;
    registry.render(open_access, out);
    return samples(out);
  }
};

RequestSample answered(const config::Model* m, std::string_view up, std::string_view key, int st) {
  RequestSample s;
  s.model = m;
  s.named_model = true;
  s.upstream = up;
  s.key_id = key;
  s.status = st;
  s.total_us = 20000;
  s.ttfb_us = 7000;
  return s;
}

TEST(Metrics, StatusClassesAndBuckets) {
  EXPECT_EQ(status_class(200), StatusClass::k2xx);
  EXPECT_EQ(status_class(304), StatusClass::k3xx);
  EXPECT_EQ(status_class(429), StatusClass::k4xx);
  EXPECT_EQ(status_class(503), StatusClass::k5xx);
  EXPECT_EQ(status_class(0), StatusClass::kOther);
  EXPECT_EQ(status_class(101), StatusClass::kOther);
  EXPECT_EQ(status_class(600), StatusClass::kOther);
  EXPECT_EQ(latency_bucket(0), 0u);
  EXPECT_EQ(latency_bucket(5000), 0u);  // le: a bound holds itself
  EXPECT_EQ(latency_bucket(5001), 1u);
  EXPECT_EQ(latency_bucket(1'000'000), 7u);
  EXPECT_EQ(latency_bucket(300'000'000), kLatencyBounds.size() - 1);
  EXPECT_EQ(latency_bucket(300'000'001), kLatencyBounds.size());  // +Inf
}

TEST(Metrics, ScrapeSumsEveryShard) {
  Fixture f;
  const config::Model* gpt = &f.cfg.models[0];
  f.shard[0].on_request(answered(gpt, "openai", "alice", 200));
  f.shard[1].on_request(answered(gpt, "openai", "alice", 200));
  f.shard[1].on_request(answered(gpt, "openai", "bob", 503));
  auto s = f.scrape();
  EXPECT_EQ(
      s[R"(ringgate_requests_total{model="gpt-4o",deployment="openai",team="research",status_class="2xx"})"],
      "2");
  EXPECT_EQ(
      s[R"(ringgate_requests_total{model="gpt-4o",deployment="openai",team="none",status_class="5xx"})"],
      "1");
  EXPECT_EQ(s["ringgate_open_connections"], "7");
  EXPECT_EQ(s["ringgate_open_access"], "0");
  EXPECT_EQ(f.scrape(true)["ringgate_open_access"], "1");
  // 20 ms: above 0.01, within 0.025; ttfb 7 ms within 0.01.
  EXPECT_EQ(s[R"(ringgate_request_duration_seconds_bucket{model="gpt-4o",le="0.01"})"], "0");
  EXPECT_EQ(s[R"(ringgate_request_duration_seconds_bucket{model="gpt-4o",le="0.025"})"], "3");
  EXPECT_EQ(s[R"(ringgate_request_duration_seconds_bucket{model="gpt-4o",le="+Inf"})"], "3");
  EXPECT_EQ(s[R"(ringgate_request_duration_seconds_count{model="gpt-4o"})"], "3");
  EXPECT_EQ(s[R"(ringgate_request_duration_seconds_sum{model="gpt-4o"})"], "0.06");
  EXPECT_EQ(s[R"(ringgate_time_to_first_byte_seconds_bucket{model="gpt-4o",le="0.005"})"], "0");
  EXPECT_EQ(s[R"(ringgate_time_to_first_byte_seconds_bucket{model="gpt-4o",le="0.01"})"], "3");
}

TEST(Metrics, NamesTheConfigDoesNotListFoldIntoOtherAndNone) {
  Fixture f;
  config::Model stranger;  // from some other snapshot: matched by name, not by pointer
  stranger.name = "not-configured";
  f.shard[0].on_request(answered(nullptr, "", "anonymous", 404));  // unknown model named
  RequestSample health = answered(nullptr, "", "anonymous", 200);
  health.named_model = false;  // no model at all
  health.ttfb_us = 0;
  f.shard[0].on_request(health);
  f.shard[0].on_request(answered(&stranger, "gone-upstream", "who", 200));
  // A configured model that went to another upstream than its own: deployment other.
  f.shard[1].on_request(answered(&f.cfg.models[1], "openai", "alice", 200));
  auto s = f.scrape();
  EXPECT_EQ(
      s[R"(ringgate_requests_total{model="other",deployment="none",team="none",status_class="4xx"})"],
      "1");
  EXPECT_EQ(
      s[R"(ringgate_requests_total{model="none",deployment="none",team="none",status_class="2xx"})"],
      "1");
  EXPECT_EQ(
      s[R"(ringgate_requests_total{model="other",deployment="other",team="other",status_class="2xx"})"],
      "1");
  EXPECT_EQ(
      s[R"(ringgate_requests_total{model="claude",deployment="other",team="research",status_class="2xx"})"],
      "1");
  EXPECT_EQ(s.count(R"(ringgate_time_to_first_byte_seconds_count{model="none"})"), 0u);
}

// seed-defect: 000-H2 — hostile names (of models, upstreams, keys) cannot grow the label set
// or the scrape: after the first request of each shape, only the counts change.
TEST(Metrics, ManyUnknownNamesKeepTheScrapeBounded) {
  Fixture f;
  auto hostile_round = [&f](int i) {
    config::Model hostile;
    hostile.name = "m-" + std::to_string(i) + "\"} 1\n";
    std::string up = "up-" + std::to_string(i), key = "key-" + std::to_string(i);
    f.shard[i % 2].on_request(answered(&hostile, up, key, 404));
    f.shard[i % 2].on_request(answered(nullptr, "", "anonymous", 404));
  };
  hostile_round(0);
  std::string before;
  f.registry.render(false, before);
  for (int i = 1; i < 10000; ++i) hostile_round(i);
  std::string after;
  f.registry.render(false, after);
  auto b = samples(before), a = samples(after);
  std::set<std::string> series_before, series_after;
  for (const auto& [k, v] : b) series_before.insert(k);
  for (const auto& [k, v] : a) series_after.insert(k);
  EXPECT_EQ(series_after, series_before);
  EXPECT_LE(after.size(), before.size() + 200);  // a few counts grew by a few digits
  EXPECT_EQ(after.find("m-1"), std::string::npos);
  EXPECT_EQ(after.find("key-1"), std::string::npos);
  EXPECT_EQ(
      a[R"(ringgate_requests_total{model="other",deployment="none",team="none",status_class="4xx"})"],
      "10000");
  EXPECT_EQ(
      a[R"(ringgate_requests_total{model="other",deployment="other",team="other",status_class="4xx"})"],
      "10000");
}

TEST(Metrics, RefusalsByScopeAndKind) {
  Fixture f;
  RequestSample s = answered(nullptr, "", "anonymous", 401);
  s.refusal.kind = admission::RefusalKind::kMissingKey;
  f.shard[0].on_request(s);
  s.refusal.kind = admission::RefusalKind::kInvalidKey;
  f.shard[1].on_request(s);
  f.shard[1].on_request(s);
  s.status = 429;
  s.refusal.kind = admission::RefusalKind::kRateLimited;
  s.refusal.scope = admission::Scope::kTeam;
  s.refusal.limit.kind = admission::LimitKind::kRpd;
  f.shard[0].on_request(s);
  s.refusal.kind = admission::RefusalKind::kAnonymousFull;
  s.refusal.scope = admission::Scope::kAddress;
  f.shard[0].on_request(s);
  s.status = 402;
  s.refusal.kind = admission::RefusalKind::kBudgetExceeded;
  s.refusal.scope = admission::Scope::kKey;
  s.refusal.budget.period = admission::BudgetPeriod::kMonthly;
  f.shard[1].on_request(s);
  s.refusal.kind = admission::RefusalKind::kPathNotAllowed;
  s.tap_drops = 2;
  f.shard[1].on_request(s);
  auto m = f.scrape();
  EXPECT_EQ(m[R"(ringgate_auth_failures_total{reason="missing_key"})"], "1");
  EXPECT_EQ(m[R"(ringgate_auth_failures_total{reason="invalid_key"})"], "2");
  EXPECT_EQ(m[R"(ringgate_limit_refusals_total{scope="team",limit="rpd"})"], "1");
  EXPECT_EQ(m[R"(ringgate_limit_refusals_total{scope="address",limit="anonymous_slots"})"], "1");
  EXPECT_EQ(m[R"(ringgate_limit_refusals_total{scope="key",limit="rpm"})"], "0");
  EXPECT_EQ(m[R"(ringgate_budget_refusals_total{scope="key",period="monthly"})"], "1");
  EXPECT_EQ(m[R"(ringgate_access_refusals_total{reason="path_not_allowed"})"], "1");
  EXPECT_EQ(m["ringgate_tap_drops_total"], "2");
}

TEST(Metrics, TokensAndCostFromAccounting) {
  Fixture f;
  AccountingMetrics& a = f.registry.accounting();
  const MetricsLayout& l = *a.layout();
  TokenCounts t;
  t.by_kind[size_t(TokenKind::kInput)] = 100;
  t.by_kind[size_t(TokenKind::kReasoning)] = 7;
  a.on_usage(l.model_index(&f.cfg.models[1], true), l.team_of_key("alice"), t, 1500);
  a.on_usage(l.model_index(&f.cfg.models[1], true), l.team_of_key("alice"), t, 1);
  a.on_usage(999, 999, t, 0);  // out of range: other
  auto m = f.scrape();
  EXPECT_EQ(m[R"(ringgate_tokens_total{model="claude",team="research",kind="input"})"], "200");
  EXPECT_EQ(m[R"(ringgate_tokens_total{model="claude",team="research",kind="reasoning"})"], "14");
  EXPECT_EQ(m.count(R"(ringgate_tokens_total{model="claude",team="research",kind="output"})"), 0u);
  EXPECT_EQ(m[R"(ringgate_cost_microdollars_total{model="claude",team="research"})"], "1501");
  EXPECT_EQ(m[R"(ringgate_tokens_total{model="other",team="other",kind="input"})"], "100");
}

TEST(Metrics, RecordRingDropsAndLedgerLag) {
  Fixture f;
  RequestRecord r;
  for (int i = 0; i < 3; ++i) f.rings[1].push(RequestRecord(r));  // capacity 2: one dropped
  f.registry.set_ledger_lag(42);
  auto m = f.scrape();
  EXPECT_EQ(m["ringgate_record_ring_drops_total"], "1");
  EXPECT_EQ(m["ringgate_ledger_lag_records"], "42");
}

// A reload that renames things starts a new block; the old counts stay in the sum.
TEST(Metrics, ReloadKeepsCountsMonotonic) {
  Fixture f;
  f.shard[0].on_request(answered(&f.cfg.models[0], "openai", "alice", 200));
  config::Config next = test_config();
  next.models[0].name = "gpt-4o-renamed";
  f.shard[0].adopt(MetricsLayout::build(next));
  f.shard[0].adopt(MetricsLayout::build(next));  // same names: the same block
  ASSERT_NE(f.shard[0].blocks()->older, nullptr);
  EXPECT_EQ(f.shard[0].blocks()->older->older, nullptr);
  f.shard[0].on_request(answered(&f.cfg.models[0], "openai", "alice", 200));  // old name: other
  f.shard[0].on_request(answered(&next.models[0], "openai", "alice", 200));
  f.shard[1].on_request(answered(&f.cfg.models[0], "openai", "alice", 200));  // not reloaded yet
  auto m = f.scrape();
  EXPECT_EQ(
      m[R"(ringgate_requests_total{model="gpt-4o",deployment="openai",team="research",status_class="2xx"})"],
      "2");
  EXPECT_EQ(
      m[R"(ringgate_requests_total{model="gpt-4o-renamed",deployment="openai",team="research",status_class="2xx"})"],
      "1");
  EXPECT_EQ(
      m[R"(ringgate_requests_total{model="other",deployment="openai",team="research",status_class="2xx"})"],
      "1");
}

TEST(Metrics, ScrapeIsWellFormed) {
  Fixture f;
  f.shard[0].on_request(answered(&f.cfg.models[0], "openai", "alice", 200));
  std::string out;
  f.registry.render(false, out);
  std::istringstream in(out);
  std::set<std::string> typed;
  for (std::string line; std::getline(in, line);) {
    ASSERT_FALSE(line.empty());
    if (line.rfind("# TYPE ", 0) == 0) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(typed.insert(name).second) << "TYPE twice: " << name;
    }
  }
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(typed.size(), 17u);  // with the three budget alert families
}

}  // namespace
}  // namespace ringgate::telemetry
