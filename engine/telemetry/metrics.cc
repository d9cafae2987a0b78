#include "engine/telemetry/metrics.h"

#include <algorithm>

namespace ringgate::telemetry {

namespace {

constexpr std::array<uint64_t, kLatencyBounds.size()> bounds_us() {
  std::array<uint64_t, kLatencyBounds.size()> us{};
  for (size_t i = 0; i < us.size(); ++i) us[i] = uint64_t(kLatencyBounds[i] * 1e6 + 0.5);
  return us;
}
constexpr auto kBoundsUs = bounds_us();

}  // namespace

StatusClass status_class(int status) {
  if (status >= 200 && status < 300) return StatusClass::k2xx;
  if (status >= 300 && status < 400) return StatusClass::k3xx;
  if (status >= 400 && status < 500) return StatusClass::k4xx;
  if (status >= 500 && status < 600) return StatusClass::k5xx;
  return StatusClass::kOther;
}

std::string_view status_class_name(StatusClass c) {
  static constexpr std::string_view kNames[] = {"2xx", "3xx", "4xx", "5xx", "other"};
  return kNames[size_t(c)];
}

std::string_view token_kind_name(TokenKind k) {
  static constexpr std::string_view kNames[] = {"input", "output", "cached_input", "cache_creation",
                                                "reasoning"};
  return kNames[size_t(k)];
}

size_t latency_bucket(uint64_t us) {
  return size_t(std::lower_bound(kBoundsUs.begin(), kBoundsUs.end(), us) - kBoundsUs.begin());
}

RequestBlock::RequestBlock(std::shared_ptr<const MetricsLayout> l)
    : layout(std::move(l)),
      requests(new Counter[layout->route_count() * layout->teams().size() * kStatusClasses]),
      duration(layout->models().size()),
      ttfb(layout->models().size()) {}

void ShardMetrics::on_request(const RequestSample& s) {
  if (s.tap_drops) tap_drops_.add(s.tap_drops);
  if (s.refusal.kind != admission::RefusalKind::kNone) on_refusal(s.refusal);
  RequestBlock* b = blocks_.current();
  if (!b) return;
  const MetricsLayout& l = *b->layout;
  const size_t model = l.model_index(s.model, s.named_model);
  const size_t route = l.route(model, l.upstream_index(s.upstream));
  const size_t team = l.team_of_key(s.key_id);
  b->requests[(route * l.teams().size() + team) * kStatusClasses + size_t(status_class(s.status))]
      .add();
  b->duration.observe(model, s.total_us);
  if (s.ttfb_us > 0) b->ttfb.observe(model, s.ttfb_us);
}

void ShardMetrics::on_refusal(const admission::Refusal& r) {
  using admission::RefusalKind;
  const size_t scope = std::min(size_t(r.scope), kScopes - 1);
  switch (r.kind) {
    case RefusalKind::kMissingKey:
    case RefusalKind::kInvalidKey:
      auth_[r.kind == RefusalKind::kMissingKey ? 0 : 1].add();
      break;
    case RefusalKind::kModelNotAllowed:
    case RefusalKind::kPathNotAllowed:
      access_[r.kind == RefusalKind::kPathNotAllowed ? 1 : 0].add();
      break;
    case RefusalKind::kRateLimited:
      limits_[scope * kLimitKinds + std::min(size_t(r.limit.kind), kLimitKinds - 2)].add();
      break;
    case RefusalKind::kAnonymousFull:
      limits_[scope * kLimitKinds + kLimitKinds - 1].add();
      break;
    case RefusalKind::kBudgetExceeded:
      budgets_[scope * kBudgetPeriods + std::min(size_t(r.budget.period), kBudgetPeriods - 1)]
          .add();
      break;
    case RefusalKind::kFleetUnavailable:  // counted by ringgate_cluster_* (engine/cluster)
    case RefusalKind::kBudgetRenewing:
    case RefusalKind::kFleetPending:
    case RefusalKind::kNone:
      break;
  }
}

UsageBlock::UsageBlock(std::shared_ptr<const MetricsLayout> l)
    : layout(std::move(l)),
      tokens(new Counter[layout->models().size() * layout->teams().size() * kTokenKinds]),
      cost_micros(new Counter[layout->models().size() * layout->teams().size()]) {}

void AccountingMetrics::on_usage(size_t model, size_t team, const TokenCounts& tokens,
                                 uint64_t cost_micros) {
  UsageBlock* b = blocks_.current();
  if (!b) return;
  const MetricsLayout& l = *b->layout;
  if (model >= l.models().size()) model = l.models().size() - 2;
  if (team >= l.teams().size()) team = l.teams().size() - 2;
  const size_t cell = model * l.teams().size() + team;
  for (size_t k = 0; k < kTokenKinds; ++k) {
    if (tokens.by_kind[k]) b->tokens[cell * kTokenKinds + k].add(tokens.by_kind[k]);
  }
  if (cost_micros) b->cost_micros[cell].add(cost_micros);
}

}  // namespace ringgate::telemetry
