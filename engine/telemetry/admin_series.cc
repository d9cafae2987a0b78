#include "engine/telemetry/admin_series.h"

#include <algorithm>
#include <cmath>

#include "engine/admission/utc_period.h"
#include "engine/telemetry/ledger_row.h"

namespace ringgate::telemetry {

namespace {

// 100 us to about 15 minutes in 48 steps of x1.4: a percentile is within 40% of the truth.
constexpr double kFirstUs = 100, kGrowth = 1.4;

double bucket_upper_ms(size_t i) { return kFirstUs * std::pow(kGrowth, double(i)) / 1000.0; }

// Traffic the overview counts: what named a model, reached an upstream or was refused its key.
// The gateway's own answers (health, metrics, this API) are not traffic.
bool is_traffic(const RequestRecord& r) {
  return r.model_requested.size > 0 || r.deployment.size > 0 || r.auth_failed ||
         r.outcome != Outcome::kLocal;
}

}  // namespace

void LatencyHistogram::add(uint64_t us) {
  size_t i = 0;
  if (double(us) >= kFirstUs) {
    i = size_t(std::log(double(us) / kFirstUs) / std::log(kGrowth)) + 1;
    i = std::min(i, kBuckets - 1);
  }
  ++counts[i];
}

void LatencyHistogram::merge(const LatencyHistogram& o) {
  for (size_t i = 0; i < kBuckets; ++i) counts[i] += o.counts[i];
}

uint64_t LatencyHistogram::total() const {
  uint64_t n = 0;
  for (uint32_t c : counts) n += c;
  return n;
}

double LatencyHistogram::quantile_ms(double q) const {
  const uint64_t n = total();
  if (n == 0) return 0;
  // The smallest bucket holding at least ceil(q * n) observations.
  const uint64_t want = std::max<uint64_t>(1, uint64_t(std::ceil(q * double(n))));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= want) return bucket_upper_ms(i);
  }
  return bucket_upper_ms(kBuckets - 1);
}

AdminSeries::Step& AdminSeries::step_at(int64_t unix_s) {
  const int64_t t = unix_s - unix_s % AdminSnapshot::kStepS;
  Step& s = steps_[size_t(t / AdminSnapshot::kStepS) % steps_.size()];
  if (s.t != t) {  // an hour-old step is reused
    s = Step{};
    s.t = t;
  }
  return s;
}

void AdminSeries::count(std::map<std::string, AdminCounts, std::less<>>& m, std::string_view name,
                        const AdminCounts& add) {
  auto it = m.find(name);
  if (it == m.end()) {
    if (m.size() >= kMaxNames) return;  // bounded: names come from configs, not requests
    it = m.emplace(std::string(name), AdminCounts{}).first;
  }
  it->second.requests += add.requests;
  it->second.errors += add.errors;
  it->second.spend_micros += add.spend_micros;
}

void AdminSeries::on_record(const RequestRecord& r, std::string_view team, int64_t unix_ms) {
  if (!is_traffic(r)) return;
  const int64_t unix_s = unix_ms / 1000;
  const bool error = r.status >= 400 || r.status == 0;
  Step& s = step_at(unix_s);
  ++s.requests;
  s.errors += error;
  s.latency.add(r.total_us);
  if (r.upstream_ttfb_us) s.ttfb.add(r.upstream_ttfb_us);
  s.spend_micros += r.cost_micros;
  const uint32_t day = admission::utc_periods(unix_s).day;
  if (day != spend_day_) spend_day_ = day, spend_today_micros_ = 0;
  spend_today_micros_ += r.cost_micros;
  const AdminCounts add{1, uint64_t(error), r.cost_micros};
  if (r.client_key.size) count(keys_, r.client_key.view(), add);
  if (!team.empty()) count(teams_, team, add);
  if (r.deployment.size) count(deployments_, r.deployment.view(), add);

  AdminRow row;
  row.seq = ++seq_;
  row.request_id.assign(r.request_id.view());
  row.key.assign(r.client_key.view());
  row.team.assign(team);
  row.model.assign(r.model_requested.view());
  row.deployment.assign(r.deployment.view());
  row.cache.assign(ledger_cache_result(r.cache));
  row.unix_ms = unix_ms;
  row.status = r.status;
  row.input_tokens = r.input_tokens;
  row.output_tokens = r.output_tokens;
  row.cost_micros = r.cost_micros;
  row.total_us = r.total_us;
  if (recent_.size() < kRecentRows) {
    recent_.push_back(std::move(row));
  } else {
    recent_[next_] = std::move(row);
    next_ = (next_ + 1) % kRecentRows;
  }
  dirty_ = true;
}

std::shared_ptr<AdminSnapshot> AdminSeries::build(int64_t unix_ms) const {
  auto snap = std::make_shared<AdminSnapshot>();
  const int64_t now_s = unix_ms / 1000;
  snap->published_unix_ms = unix_ms;
  const int64_t oldest = now_s - int64_t(AdminSnapshot::kPoints) * AdminSnapshot::kStepS;
  std::vector<const Step*> live;
  for (const Step& s : steps_) {
    if (s.t > oldest && s.t <= now_s) live.push_back(&s);
  }
  std::sort(live.begin(), live.end(), [](const Step* a, const Step* b) { return a->t < b->t; });
  for (const Step* s : live) {
    snap->points.push_back({s->t, s->requests, s->errors, s->latency.quantile_ms(0.5),
                            s->latency.quantile_ms(0.95), s->latency.quantile_ms(0.99),
                            s->spend_micros});
    // A step counts in a window once it began inside it.
    for (auto [w, span] : {std::pair{&snap->last_1m, 60}, std::pair{&snap->last_5m, 300}}) {
      if (s->t <= now_s - span) continue;
      w->requests += s->requests;
      w->errors += s->errors;
      w->latency.merge(s->latency);
      w->ttfb.merge(s->ttfb);
    }
  }
  const AdminWindow& w = snap->last_5m;
  snap->p50_ms = w.latency.quantile_ms(0.5);
  snap->p95_ms = w.latency.quantile_ms(0.95);
  snap->p99_ms = w.latency.quantile_ms(0.99);
  snap->ttft_p50_ms = w.ttfb.quantile_ms(0.5);
  snap->ttft_p95_ms = w.ttfb.quantile_ms(0.95);
  snap->ttft_p99_ms = w.ttfb.quantile_ms(0.99);
  snap->spend_today_micros =
      admission::utc_periods(now_s).day == spend_day_ ? spend_today_micros_ : 0;
  snap->keys = keys_;
  snap->teams = teams_;
  snap->deployments = deployments_;
  snap->recent.reserve(recent_.size());
  for (size_t i = 0; i < recent_.size(); ++i) {  // newest first
    snap->recent.push_back(recent_[(next_ + recent_.size() - 1 - i) % recent_.size()]);
  }
  return snap;
}

void AdminSeries::maybe_publish(int64_t unix_ms, bool force) {
  const int64_t since = unix_ms - last_publish_ms_;
  if (!force && !(dirty_ && since >= kPublishMs) && since < kRefreshMs) return;
  std::shared_ptr<const AdminSnapshot> next = build(unix_ms);  // built outside the lock
  {
    std::lock_guard lock(published_mu_);
    published_.swap(next);
  }  // the old snapshot is freed here unless a reader still holds it
  last_publish_ms_ = unix_ms;
  dirty_ = false;
}

}  // namespace ringgate::telemetry
