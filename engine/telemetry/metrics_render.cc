// The scrape: every shard's and the accounting thread's blocks, summed by label value into the
// Prometheus text. Runs on the thread that serves the scrape; reads counters, never writes them.
#include <map>

#include "engine/telemetry/metrics.h"
#include "engine/telemetry/pg_shipper.h"
#include "protocol/prometheus_text.h"

namespace ringgate::telemetry {

namespace {

using protocol::Label;
using protocol::MetricType;
using protocol::PrometheusWriter;

// Label values are views into the layouts, which live as long as their blocks.
using RequestKey = std::array<std::string_view, 4>;  // model, deployment, team, status class
using UsageKey = std::array<std::string_view, 3>;    // model, team, token kind ("" for cost)

struct Histogram {
  std::array<uint64_t, kLatencyBuckets> counts{};
  uint64_t sum_us = 0;
};
using Histograms = std::map<std::string_view, Histogram>;  // by model

struct Sums {
  std::map<RequestKey, uint64_t> requests;
  Histograms duration, ttfb;
  std::map<UsageKey, uint64_t> tokens, cost;
};

void add_histograms(const ModelHistograms& h, const MetricsLayout& l, Histograms& out) {
  for (size_t m = 0; m < l.models().size(); ++m) {
    uint64_t n = 0;
    for (size_t b = 0; b < kLatencyBuckets; ++b) n += h.counts[m * kLatencyBuckets + b].get();
    if (n == 0) continue;
    Histogram& dst = out[l.models()[m]];
    for (size_t b = 0; b < kLatencyBuckets; ++b) {
      dst.counts[b] += h.counts[m * kLatencyBuckets + b].get();
    }
    dst.sum_us += h.sum_us[m].get();
  }
}

void add_requests(const RequestBlock& b, Sums& sums) {
  const MetricsLayout& l = *b.layout;
  const size_t teams = l.teams().size();
  for (size_t r = 0; r < l.route_count(); ++r) {
    for (size_t t = 0; t < teams; ++t) {
      for (size_t c = 0; c < kStatusClasses; ++c) {
        uint64_t v = b.requests[(r * teams + t) * kStatusClasses + c].get();
        if (v == 0) continue;
        sums.requests[{l.models()[l.route_model(r)], l.upstreams()[l.route_upstream(r)],
                       l.teams()[t], status_class_name(StatusClass(c))}] += v;
      }
    }
  }
  add_histograms(b.duration, l, sums.duration);
  add_histograms(b.ttfb, l, sums.ttfb);
}

void add_usage(const UsageBlock& b, Sums& sums) {
  const MetricsLayout& l = *b.layout;
  const size_t teams = l.teams().size();
  for (size_t m = 0; m < l.models().size(); ++m) {
    for (size_t t = 0; t < teams; ++t) {
      const size_t cell = m * teams + t;
      for (size_t k = 0; k < kTokenKinds; ++k) {
        uint64_t v = b.tokens[cell * kTokenKinds + k].get();
        if (v) sums.tokens[{l.models()[m], l.teams()[t], token_kind_name(TokenKind(k))}] += v;
      }
      if (uint64_t v = b.cost_micros[cell].get()) sums.cost[{l.models()[m], l.teams()[t], {}}] += v;
    }
  }
}

void write_requests(PrometheusWriter& w, const Sums& s) {
  w.family("ringgate_requests_total", MetricType::kCounter,
           "Requests completed, by configured model, deployment (upstream), team and status "
           "class. Names the config does not list are \"other\"; \"none\" where there was none.");
  for (const auto& [k, v] : s.requests) {
    w.sample("ringgate_requests_total",
             {{"model", k[0]}, {"deployment", k[1]}, {"team", k[2]}, {"status_class", k[3]}}, v);
  }
}

void write_histograms(PrometheusWriter& w, std::string_view name, std::string_view help,
                      const Histograms& hs) {
  w.family(name, MetricType::kHistogram, help);
  for (const auto& [model, h] : hs) {
    const Label l[] = {{"model", model}};
    w.histogram(name, l, kLatencyBounds, h.counts, double(h.sum_us) / 1e6);
  }
}

void write_usage(PrometheusWriter& w, const Sums& s) {
  w.family("ringgate_tokens_total", MetricType::kCounter,
           "Tokens used, by model, team and kind (input, output, cached_input, cache_creation, "
           "reasoning), as accounting read them from usage.");
  for (const auto& [k, v] : s.tokens) {
    w.sample("ringgate_tokens_total", {{"model", k[0]}, {"team", k[1]}, {"kind", k[2]}}, v);
  }
  w.family("ringgate_cost_microdollars_total", MetricType::kCounter,
           "Cost of requests in microdollars (1 USD = 1000000), by model and team.");
  for (const auto& [k, v] : s.cost) {
    w.sample("ringgate_cost_microdollars_total", {{"model", k[0]}, {"team", k[1]}}, v);
  }
}

template <class Get>
uint64_t over_shards(const std::vector<ShardSource>& shards, Get get) {
  uint64_t n = 0;
  for (const ShardSource& s : shards) n += get(s);
  return n;
}

constexpr std::string_view kScopeNames[kScopes] = {"key", "team", "model", "address"};

void write_refusals(PrometheusWriter& w, const std::vector<ShardSource>& shards) {
  w.family("ringgate_auth_failures_total", MetricType::kCounter,
           "Requests refused for a missing or an invalid virtual key.");
  for (bool missing : {true, false}) {
    w.sample("ringgate_auth_failures_total", {{"reason", missing ? "missing_key" : "invalid_key"}},
             over_shards(shards, [&](auto& s) { return s.metrics->auth_failures(missing); }));
  }
  w.family("ringgate_access_refusals_total", MetricType::kCounter,
           "Requests refused because the caller may not use the model or the path.");
  for (bool path : {false, true}) {
    w.sample("ringgate_access_refusals_total",
             {{"reason", path ? "path_not_allowed" : "model_not_allowed"}},
             over_shards(shards, [&](auto& s) { return s.metrics->access_refusals(path); }));
  }
  w.family("ringgate_limit_refusals_total", MetricType::kCounter,
           "Requests refused by a rate or concurrency limit, by whose limit (scope) and which; "
           "anonymous_slots: no room for another anonymous address.");
  for (size_t sc = 0; sc < kScopes; ++sc) {
    for (size_t k = 0; k < kLimitKinds; ++k) {
      std::string_view limit =
          k + 1 == kLimitKinds ? "anonymous_slots" : admission::limit_name(admission::LimitKind(k));
      w.sample("ringgate_limit_refusals_total", {{"scope", kScopeNames[sc]}, {"limit", limit}},
               over_shards(shards, [&](auto& s) { return s.metrics->limit_refusals(sc, k); }));
    }
  }
  w.family("ringgate_budget_refusals_total", MetricType::kCounter,
           "Requests refused because a budget is spent, by whose budget (scope) and period.");
  for (size_t sc = 0; sc < kScopes; ++sc) {
    for (size_t p = 0; p < kBudgetPeriods; ++p) {
      w.sample("ringgate_budget_refusals_total",
               {{"scope", kScopeNames[sc]},
                {"period", admission::budget_period_name(admission::BudgetPeriod(p))}},
               over_shards(shards, [&](auto& s) { return s.metrics->budget_refusals(sc, p); }));
    }
  }
}

void write_alerts(PrometheusWriter& w, const AlertMetrics& a) {
  w.family("ringgate_budget_alerts_total", MetricType::kCounter,
           "Budget alerts raised: a key's or team's spend crossed a configured percent "
           "(threshold) of its daily, monthly or total budget; once per threshold and period.");
  for (size_t sc = 0; sc < AlertMetrics::kScopes; ++sc) {
    for (size_t p = 0; p < kBudgetPeriods; ++p) {
      for (size_t pct = 1; pct <= AlertMetrics::kMaxPercent; ++pct) {
        const uint64_t v = a.alerts(sc, p, pct);
        if (v == 0) continue;
        const std::string threshold = std::to_string(pct);
        w.sample("ringgate_budget_alerts_total",
                 {{"scope", kScopeNames[sc]},
                  {"period", admission::budget_period_name(admission::BudgetPeriod(p))},
                  {"threshold", threshold}},
                 v);
      }
    }
  }
  w.family("ringgate_budget_alert_webhooks_total", MetricType::kCounter,
           "Budget alerts for the webhook: delivered (a 2xx), failed (every attempt failed), "
           "dropped (its queue was full, or the gateway stopped first).");
  const std::pair<std::string_view, const Counter*> results[] = {
      {"delivered", &a.webhook_delivered},
      {"failed", &a.webhook_failed},
      {"dropped", &a.webhook_dropped}};
  for (const auto& [result, c] : results) {
    w.sample("ringgate_budget_alert_webhooks_total", {{"result", result}}, c->get());
  }
}

void write_one(PrometheusWriter& w, std::string_view name, MetricType type, std::string_view help,
               uint64_t v) {
  w.family(name, type, help);
  w.sample(name, {}, v);
}

void write_pg_shipper(PrometheusWriter& w, const PgShipperStats& s) {
  write_one(w, "ringgate_ledger_pg_connected", MetricType::kGauge,
            "1 when the fleet ledger's PostgreSQL connection is up.", s.connected);
  write_one(w, "ringgate_ledger_pg_rows_shipped_total", MetricType::kCounter,
            "Ledger rows PostgreSQL acknowledged (a resent batch counts again).", s.rows_shipped);
  write_one(w, "ringgate_ledger_pg_backlog_rows", MetricType::kGauge,
            "Rows in the node's ledger file not yet shipped to PostgreSQL.", s.backlog);
  write_one(w, "ringgate_ledger_pg_batches_total", MetricType::kCounter,
            "INSERT batches PostgreSQL acknowledged.", s.batches);
  write_one(w, "ringgate_ledger_pg_errors_total", MetricType::kCounter,
            "Failed connects and statements to the fleet ledger (each retried).", s.errors);
}

}  // namespace

void MetricsRegistry::render(bool open_access, std::string& out) const {
  Sums sums;
  for (const ShardSource& s : shards_) {
    for (const RequestBlock* b = s.metrics->blocks(); b; b = b->older.get()) add_requests(*b, sums);
  }
  for (const UsageBlock* b = accounting_.blocks(); b; b = b->older.get()) add_usage(*b, sums);
  PrometheusWriter w(out);
  write_requests(w, sums);
  write_histograms(w, "ringgate_request_duration_seconds",
                   "Time from a request's start to its completion, by model.", sums.duration);
  write_histograms(w, "ringgate_time_to_first_byte_seconds",
                   "Time from a request's start to the upstream's first response byte, by model.",
                   sums.ttfb);
  write_usage(w, sums);
  write_refusals(w, shards_);
  write_alerts(w, alerts_);
  write_one(w, "ringgate_budget_alert_webhook_retries_total", MetricType::kCounter,
            "Webhook attempts for budget alerts after a first one failed.",
            alerts_.webhook_retries.get());
  write_one(w, "ringgate_open_connections", MetricType::kGauge, "Client connections open now.",
            over_shards(shards_, [](auto& s) { return s.open_connections(); }));
  write_one(w, "ringgate_record_ring_drops_total", MetricType::kCounter,
            "Request records dropped because a shard's ring to the accounting thread was full.",
            over_shards(shards_, [](auto& s) { return s.records->dropped(); }));
  write_one(w, "ringgate_tap_drops_total", MetricType::kCounter,
            "Body copies a relay tap (accounting, cache fill) refused because it was full.",
            over_shards(shards_, [](auto& s) { return s.metrics->tap_drops(); }));
  write_one(w, "ringgate_ledger_lag_records", MetricType::kGauge,
            "Request records waiting to be written to the usage ledger.",
            ledger_lag_.load(std::memory_order_relaxed));
  if (pg_shipper_) write_pg_shipper(w, pg_shipper_->stats());
  write_one(w, "ringgate_open_access", MetricType::kGauge,
            "1 when [auth] mode = \"none\": every client is served without a key.", open_access);
}

}  // namespace ringgate::telemetry
