#include "engine/gateway/admin_views.h"

#include <algorithm>
#include <ctime>

#include "cache/exact_cache.h"
#include "cache/remote_embedder.h"
#include "cache/semantic_cache.h"
#include "engine/admission/gatekeeper.h"
#include "engine/admission/utc_period.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/deployment_health.h"
#include "engine/gateway/shard.h"
#include "engine/managed/managed_process.h"
#include "providers/json_writer.h"

namespace ringgate::gateway {

namespace {

using providers::JsonWriter;
using Snapshot = telemetry::AdminSnapshot;

double usd(int64_t micros) { return double(micros) / 1e6; }
double ratio(uint64_t part, uint64_t whole) { return whole ? double(part) / double(whole) : 0; }

std::string_view limit_label(admission::LimitKind k) {
  switch (k) {
    case admission::LimitKind::kRpm:
      return "requests_per_minute";
    case admission::LimitKind::kRph:
      return "requests_per_hour";
    case admission::LimitKind::kRpd:
      return "requests_per_day";
    case admission::LimitKind::kTpm:
      return "tokens_per_minute";
    case admission::LimitKind::kTph:
      return "tokens_per_hour";
    case admission::LimitKind::kTpd:
      return "tokens_per_day";
    case admission::LimitKind::kConcurrent:
      return "concurrent_requests";
  }
  return "other";
}

void limits_json(JsonWriter& w, const admission::LimitSet* limits) {
  w.key("limits").begin_array();
  if (limits) {
    limits->for_each_limit(now_us() * 1000, [&](admission::LimitKind k, uint64_t limit,
                                                uint64_t remaining, uint64_t until_full_ns) {
      w.begin_object().key("name").string(limit_label(k));
      w.key("limit").unsigned_integer(limit).key("remaining").unsigned_integer(remaining);
      w.key("reset_s").number(double(until_full_ns) / 1e9).end_object();
    });
  }
  w.end_array();
}

void budgets_json(JsonWriter& w, const admission::BudgetAccount* budget, int64_t now_s) {
  w.key("budgets").begin_array();
  if (budget) {
    const admission::UtcPeriods p = admission::utc_periods(now_s);
    static constexpr std::pair<admission::BudgetPeriod, std::string_view> kPeriods[] = {
        {admission::BudgetPeriod::kDaily, "day"},
        {admission::BudgetPeriod::kMonthly, "month"},
        {admission::BudgetPeriod::kTotal, "total"}};
    for (const auto& [period, name] : kPeriods) {
      const admission::BudgetUsage u = budget->usage(period, now_s);
      if (u.limit_micros <= 0) continue;
      const int64_t left =
          std::max<int64_t>(0, u.limit_micros - u.spent_micros - u.reserved_micros);
      w.begin_object().key("period").string(name).key("limit_usd").number(usd(u.limit_micros));
      w.key("spent_usd").number(usd(u.spent_micros));
      w.key("reserved_usd").number(usd(u.reserved_micros));
      w.key("remaining_usd").number(usd(left)).key("resets_at");
      if (period == admission::BudgetPeriod::kDaily) {
        w.integer(p.day_end_s);
      } else if (period == admission::BudgetPeriod::kMonthly) {
        w.integer(p.month_end_s);
      } else {
        w.null();
      }
      w.end_object();
    }
  }
  w.end_array();
}

const telemetry::AdminCounts* counts(
    const std::map<std::string, telemetry::AdminCounts, std::less<>>& m, std::string_view name) {
  auto it = m.find(name);
  return it == m.end() ? nullptr : &it->second;
}

void usage_json(JsonWriter& w, const telemetry::AdminCounts* c) {
  w.key("requests").unsigned_integer(c ? c->requests : 0);
  w.key("spend_usd").number(usd(c ? c->spend_micros : 0));
}

void percentiles(JsonWriter& w, std::string_view name, double p50, double p95, double p99) {
  w.key(name).begin_object().key("p50").number(p50).key("p95").number(p95);
  w.key("p99").number(p99).end_object();
}

void overview(const GatewayState& state, const Snapshot& s, JsonWriter& w) {
  const int64_t now = int64_t(std::time(nullptr));
  uint64_t connections = 0, streams = 0;
  for (const Shard* sh : state.shards) {
    connections += sh->counters().connections_open.get();
    streams += sh->counters().streams_open.get();
  }
  // Rates from the points as of now, so a quiet minute reads as quiet without a new snapshot.
  uint64_t req[2] = {}, err[2] = {};
  for (const telemetry::AdminPoint& p : s.points) {
    for (int i = 0; i < 2; ++i) {
      if (p.t <= now - (i == 0 ? 60 : 300)) continue;
      req[i] += p.requests;
      err[i] += p.errors;
    }
  }
  w.begin_object().key("uptime_s").integer(now - state.started_unix_s);
  w.key("shards").unsigned_integer(state.shard_count).key("now").integer(now);
  w.key("requests_per_s").begin_object().key("1m").number(double(req[0]) / 60);
  w.key("5m").number(double(req[1]) / 300).end_object();
  w.key("error_rate").begin_object().key("1m").number(ratio(err[0], req[0]));
  w.key("5m").number(ratio(err[1], req[1])).end_object();
  w.key("open_connections").unsigned_integer(connections);
  w.key("open_streams").unsigned_integer(streams);
  percentiles(w, "latency_ms", s.p50_ms, s.p95_ms, s.p99_ms);
  percentiles(w, "ttft_ms", s.ttft_p50_ms, s.ttft_p95_ms, s.ttft_p99_ms);
  const bool today =
      admission::utc_periods(now).day == admission::utc_periods(s.published_unix_ms / 1000).day;
  w.key("spend_today_usd").number(today ? usd(s.spend_today_micros) : 0);
  w.key("series").begin_object().key("step_s").integer(Snapshot::kStepS);
  w.key("points").begin_array();
  for (const telemetry::AdminPoint& p : s.points) {
    if (p.t <= now - int64_t(Snapshot::kPoints) * Snapshot::kStepS) continue;
    w.begin_object().key("t").integer(p.t).key("requests").unsigned_integer(p.requests);
    w.key("errors").unsigned_integer(p.errors).key("p50_ms").number(p.p50_ms);
    w.key("p95_ms").number(p.p95_ms).key("p99_ms").number(p.p99_ms);
    w.key("spend_usd").number(usd(p.spend_micros)).end_object();
  }
  w.end_array().end_object().end_object();
}

void keys(const config::Runtime& rt, const Snapshot& s, JsonWriter& w) {
  const int64_t now = int64_t(std::time(nullptr));
  w.begin_object().key("keys").begin_array();
  if (const admission::Gatekeeper* gk = rt.gatekeeper()) {
    // Revoked keys are not in the runtime (only the ledger's managed_keys table keeps them).
    gk->for_each_key([&](const admission::Gatekeeper::KeyFacts& k,
                         const admission::LimitSet* limits, const admission::BudgetAccount* b) {
      w.begin_object().key("id").string(k.id).key("team");
      k.team.empty() ? w.null() : w.string(k.team);
      w.key("source").string(k.managed ? "admin" : "config").key("expires_at");
      k.expires_at_s ? w.integer(k.expires_at_s) : w.null();
      w.key("revoked").boolean(false);
      usage_json(w, counts(s.keys, k.id));
      limits_json(w, limits);
      budgets_json(w, b, now);
      w.end_object();
    });
  }
  w.end_array().end_object();
}

void teams(const config::Runtime& rt, const Snapshot& s, JsonWriter& w) {
  const int64_t now = int64_t(std::time(nullptr));
  w.begin_object().key("teams").begin_array();
  if (const admission::Gatekeeper* gk = rt.gatekeeper()) {
    gk->for_each_team([&](std::string_view id, size_t members, const admission::LimitSet* limits,
                          const admission::BudgetAccount* b) {
      w.begin_object().key("id").string(id).key("keys").unsigned_integer(members);
      usage_json(w, counts(s.teams, id));
      limits_json(w, limits);
      budgets_json(w, b, now);
      w.end_object();
    });
  }
  w.end_array().end_object();
}

std::string_view breaker_name(upstream::BreakerState b) {
  return b == upstream::BreakerState::kOpen       ? "open"
         : b == upstream::BreakerState::kHalfOpen ? "half_open"
                                                  : "closed";
}

// Worst breaker over the shards (open, then half-open), in-flight summed, EWMA averaged.
struct ShardsView {
  upstream::BreakerState breaker = upstream::BreakerState::kClosed;
  uint64_t in_flight = 0;
  double ewma_ms = 0;
  uint64_t attempts = 0, failed_attempts = 0;  // every try here, also those another deployment
                                               // then served (requests/errors count answers)
};

ShardsView across_shards(const GatewayState& state, config::DeploymentId id) {
  ShardsView v;
  const uint64_t now = now_ms();
  unsigned measured = 0;
  auto rank = [](upstream::BreakerState b) {
    return b == upstream::BreakerState::kOpen ? 2 : b == upstream::BreakerState::kHalfOpen;
  };
  for (const Shard* sh : state.shards) {
    sh->deployments().for_each_shown([&](const DeploymentState& st) {
      if (st.id != id) return;
      const upstream::BreakerState b = st.shown.breaker_at(now);
      if (rank(b) > rank(v.breaker)) v.breaker = b;
      v.in_flight += st.shown.in_flight.load(std::memory_order_relaxed);
      v.attempts += st.shown.attempts.load(std::memory_order_relaxed);
      v.failed_attempts += st.shown.failures.load(std::memory_order_relaxed);
      const double e = st.shown.ewma_ttfb_ms.load(std::memory_order_relaxed);
      if (e > 0) v.ewma_ms += e, ++measured;
    });
  }
  if (measured) v.ewma_ms /= measured;
  return v;
}

void managed_json(JsonWriter& w, const config::Runtime& rt, config::DeploymentId id) {
  const managed::ManagedFleet* fleet = rt.managed_fleet();
  const managed::ManagedProcess* p = fleet ? fleet->process(id) : nullptr;
  w.key("managed");
  if (!p) {
    w.null();
    return;
  }
  const uint64_t since = p->ready_since_unix_ms.load(std::memory_order_relaxed);
  const int64_t now_ms = int64_t(std::time(nullptr)) * 1000;
  w.begin_object().key("state").string(managed::to_string(p->state()));
  w.key("pid").integer(p->pid.load(std::memory_order_relaxed));
  w.key("port").unsigned_integer(p->def().port).key("uptime_s");
  since ? w.integer(std::max<int64_t>(0, now_ms - int64_t(since)) / 1000) : w.null();
  w.end_object();
}

void deployments(const GatewayState& state, const config::Runtime& rt, const Snapshot& s,
                 JsonWriter& w) {
  const DeploymentHealth* health = rt.deployment_health();
  w.begin_object().key("deployments").begin_array();
  for (const config::RuntimeDeployment& d : rt.deployments()) {
    w.begin_object().key("name").string(d.def->name).key("models").begin_array();
    for (const config::RuntimeModel& m : rt.models()) {
      if (std::find(m.deployments.begin(), m.deployments.end(), &d) != m.deployments.end())
        w.string(m.def->name);
    }
    w.end_array().key("upstream").string(d.upstream->def->name);
    const ProbeStatus* probe = health ? health->status(d.id) : nullptr;
    const ProbeState ps = probe ? probe->state() : ProbeState::kUnknown;
    w.key("health").string(ps == ProbeState::kHealthy     ? "up"
                           : ps == ProbeState::kUnhealthy ? "down"
                                                          : "unknown");
    const ShardsView v = across_shards(state, d.id);
    w.key("breaker").string(breaker_name(v.breaker)).key("in_flight").unsigned_integer(v.in_flight);
    w.key("latency_ewma_ms").number(v.ewma_ms);
    const telemetry::AdminCounts* c = counts(s.deployments, d.def->name);
    w.key("requests").unsigned_integer(c ? c->requests : 0);
    w.key("errors").unsigned_integer(c ? c->errors : 0);
    w.key("attempts").unsigned_integer(v.attempts);
    w.key("failed_attempts").unsigned_integer(v.failed_attempts);
    managed_json(w, rt, d.id);
    w.end_object();
  }
  w.end_array().end_object();
}

void caches(const GatewayState& state, JsonWriter& w) {
  w.begin_object().key("exact").begin_object().key("enabled").boolean(state.exact_cache);
  const cache::ExactCacheStats e =
      state.exact_cache ? state.exact_cache->stats() : cache::ExactCacheStats{};
  w.key("hits").unsigned_integer(e.hits).key("misses").unsigned_integer(e.misses);
  w.key("coalesced").unsigned_integer(state.cache_counters.coalesced.load());
  w.key("hit_ratio").number(ratio(e.hits, e.hits + e.misses));
  w.key("entries").unsigned_integer(e.entries).key("bytes").unsigned_integer(e.bytes);
  w.end_object().key("semantic").begin_object().key("enabled").boolean(state.semantic);
  const cache::SemanticCacheStats sc =
      state.semantic ? state.semantic->stats() : cache::SemanticCacheStats{};
  const uint64_t misses = sc.lookups > sc.hits ? sc.lookups - sc.hits : 0;
  w.key("hits").unsigned_integer(sc.hits).key("misses").unsigned_integer(misses);
  w.key("hit_ratio").number(ratio(sc.hits, sc.lookups));
  w.key("index_size").unsigned_integer(sc.entries).key("bytes").unsigned_integer(sc.index_bytes);
  w.key("embedder_errors")
      .unsigned_integer(state.remote_embedder ? state.remote_embedder->counters().errors : 0);
  w.end_object().end_object();
}

bool matches(const telemetry::AdminRow& r, const protocol::AdminQuery& q) {
  if (q.before && r.seq >= *q.before) return false;
  if (q.since && r.unix_ms / 1000 < *q.since) return false;  // no overflow for a huge since
  if (!q.key.empty() && r.key != q.key) return false;
  return q.model.empty() || r.model == q.model;
}

void requests(const Snapshot& s, const protocol::AdminQuery& q, JsonWriter& w) {
  w.begin_object().key("requests").begin_array();
  uint32_t n = 0;
  const telemetry::AdminRow* last = nullptr;
  bool more = false;
  for (const telemetry::AdminRow& r : s.recent) {  // newest first
    if (!matches(r, q)) continue;
    if (n == q.limit) {
      more = true;
      break;
    }
    ++n;
    last = &r;
    w.begin_object().key("request_id").string(r.request_id);
    w.key("time").number(double(r.unix_ms) / 1000).key("key").string(r.key).key("team");
    r.team.empty() ? w.null() : w.string(r.team);
    w.key("model").string(r.model).key("deployment").string(r.deployment);
    w.key("status").integer(r.status).key("input_tokens").integer(r.input_tokens);
    w.key("output_tokens").integer(r.output_tokens).key("cost_usd").number(usd(r.cost_micros));
    w.key("latency_ms").number(double(r.total_us) / 1000).key("cache").string(r.cache);
    w.end_object();
  }
  w.end_array().key("next_before");
  more&& last ? w.string(std::to_string(last->seq)) : w.null();
  w.end_object();
}

}  // namespace

void append_ledger_requests(const std::vector<telemetry::LedgerRow>& rows,
                            const protocol::AdminQuery& query, std::string& out) {
  JsonWriter w(out);
  w.begin_object().key("requests").begin_array();
  const size_t shown = std::min<size_t>(rows.size(), query.limit);
  for (size_t i = 0; i < shown; ++i) {
    const telemetry::LedgerRow& r = rows[i];
    w.begin_object().key("request_id").string(r.request_id);
    w.key("time").number(double(r.unix_ms) / 1000).key("key").string(r.key_id).key("team");
    r.team.empty() ? w.null() : w.string(r.team);
    w.key("model").string(r.model_requested).key("deployment").string(r.deployment);
    w.key("status").integer(r.status).key("input_tokens").integer(r.input_tokens);
    w.key("output_tokens").integer(r.output_tokens).key("cost_usd").number(usd(r.cost_micros));
    w.key("latency_ms").number(double(r.total_us) / 1000).key("cache").string(r.cache_result);
    w.end_object();
  }
  w.end_array().key("next_before");
  rows.size() > shown&& shown ? w.string(std::to_string(rows[shown - 1].id)) : w.null();
  w.end_object();
}

void append_admin_view(const GatewayState& state, const config::Runtime& rt,
                       pipeline::AdminView view, const protocol::AdminQuery& query,
                       std::string& out) {
  static const Snapshot kEmpty;
  const std::shared_ptr<const Snapshot> held =
      state.admin_series ? state.admin_series->snapshot() : nullptr;
  const Snapshot& s = held ? *held : kEmpty;
  JsonWriter w(out);
  switch (view) {
    case pipeline::AdminView::kOverview:
      return overview(state, s, w);
    case pipeline::AdminView::kKeys:
      return keys(rt, s, w);
    case pipeline::AdminView::kTeams:
      return teams(rt, s, w);
    case pipeline::AdminView::kDeployments:
      return deployments(state, rt, s, w);
    case pipeline::AdminView::kCache:
      return caches(state, w);
    case pipeline::AdminView::kRequests:
      return requests(s, query, w);
  }
}

}  // namespace ringgate::gateway
