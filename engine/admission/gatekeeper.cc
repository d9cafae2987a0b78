// Gatekeeper::admit and settle: authenticate, authorize the model, take limits (all or nothing
// across the address, key, team and model sets), reserve budgets; and the reverse at completion.
#include "engine/admission/gatekeeper.h"

#include <algorithm>
#include <ctime>

#include "engine/admission/model_pattern.h"

namespace ringgate::admission {
namespace {

constexpr uint64_t kAnonymousFullRetryMs = 1000;
constexpr uint64_t kFleetRenewRetryMs = 1000;
constexpr uint64_t kWindowMs[3] = {kMinuteNs / kNsPerMs, kHourNs / kNsPerMs, kDayNs / kNsPerMs};

uint64_t saturating_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

// Prompt estimate x input price + max output x output price, in microdollars, rounded up.
int64_t max_cost_micros(const AdmitInput& in) {
  const config::Price* p = in.price ? in.price : in.model ? &in.model->price : nullptr;
  if (!p || !p->set) return 0;
  using u128 = unsigned __int128;
  const u128 per_mtok =
      u128(in.input_tokens) * uint64_t(std::max<int64_t>(p->input_per_mtok_micros, 0)) +
      u128(in.max_output_tokens) * uint64_t(std::max<int64_t>(p->output_per_mtok_micros, 0));
  const u128 micros = (per_mtok + 999'999) / 1'000'000;
  return micros > u128(INT64_MAX) ? INT64_MAX : int64_t(micros);
}

}  // namespace

Ticket& Ticket::operator=(Ticket&& o) noexcept {
  if (this == &o) return *this;
  taken_ = o.taken_;
  o.clear();
  return *this;
}

Decision Gatekeeper::admit(const AdmitInput& in) const {
  Decision d;
  const Key* key = identify(in, d);
  if (key) d.provider_keys = key->provider_keys;
  if (d.ok() && allowed(key, in, d) && acquire_limits(key, in, d) && take_fleet(key, in, d))
    reserve_budgets(key, in, d);
  // The caller's own buckets, on refusals too; not the model's, which every caller shares.
  if (key && key->limits) key->limits->tighten(in.now_ns, d.headers);
  if (key && key->team >= 0 && teams_[key->team].limits)
    teams_[key->team].limits->tighten(in.now_ns, d.headers);
  if (!key && anonymous_table_ && d.ticket.taken_.sets_count)
    d.ticket.taken_.sets[0]->tighten(in.now_ns, d.headers);
  return d;
}

const Gatekeeper::Key* Gatekeeper::named(const Key& key, Decision& d) const {
  d.key_id = key.name;
  if (key.team >= 0) d.team_id = teams_[size_t(key.team)].name;
  return &key;
}

const std::vector<std::string>* Gatekeeper::caller_models(const AdmitInput& in, Decision& d) const {
  static const std::vector<std::string> kEveryModel;
  if (mode_ == config::AuthMode::kNone) return &kEveryModel;
  const Key* key = identify(in, d);
  if (!d.ok()) return nullptr;
  return key ? &key->models : &anonymous_models_;
}

const Gatekeeper::Key* Gatekeeper::identify(const AdmitInput& in, Decision& d) const {
  if (mode_ == config::AuthMode::kNone) return nullptr;
  if (in.key.empty()) {
    // A presented key always wins; a client certificate's subject stands in only without one.
    if (!in.tls_subject.empty()) {
      if (auto it = subjects_.find(std::string(in.tls_subject)); it != subjects_.end()) {
        return named(keys_[it->second], d);
      }
    }
    if (!anonymous_) d.refusal.kind = RefusalKind::kMissingKey;
    return nullptr;
  }
  // A wrong key is refused even when the anonymous tier is open: it is never a downgrade.
  const std::optional<uint32_t> at = index_.find(in.key);
  // An expired key answers as an unknown one: the refusal tells a caller nothing it lacks.
  if (!at || (keys_[*at].expires_at_s != 0 && std::time(nullptr) >= keys_[*at].expires_at_s)) {
    d.refusal.kind = RefusalKind::kInvalidKey;
    return nullptr;
  }
  return named(keys_[*at], d);
}

bool Gatekeeper::allowed(const Key* key, const AdmitInput& in, Decision& d) const {
  if (mode_ == config::AuthMode::kNone) return true;
  d.refusal.scope = key ? Scope::kKey : Scope::kAddress;
  const std::string_view model = in.model ? std::string_view(in.model->name) : in.model_name;
  if (model.empty()) {
    if (key && key->modelless) return true;
    d.refusal.kind = RefusalKind::kPathNotAllowed;
    return false;
  }
  if (any_pattern_matches(key ? key->models : anonymous_models_, model)) return true;
  d.refusal.kind = RefusalKind::kModelNotAllowed;
  return false;
}

bool Gatekeeper::acquire_limits(const Key* key, const AdmitInput& in, Decision& d) const {
  Ticket& t = d.ticket;
  t.taken_.tokens = saturating_add(in.input_tokens, in.max_output_tokens);
  LimitRefusal refusal;
  if (mode_ == config::AuthMode::kKeys && !key && anonymous_table_) {
    const AnonymousTable::Acquired a =
        anonymous_table_->acquire(in.client, t.taken_.tokens, in.now_ns, refusal);
    if (a.full) {
      d.refusal = {RefusalKind::kAnonymousFull, Scope::kAddress, {}, kAnonymousFullRetryMs, {}, 0};
      return false;
    }
    if (!a.set) return refuse_rate(d, refusal, Scope::kAddress, in), false;
    t.taken_.sets[t.taken_.sets_count++] = a.set;
  }
  LimitSet* team = key && key->team >= 0 ? teams_[key->team].limits.get() : nullptr;
  LimitSet* model = nullptr;
  if (in.model) {
    auto it = model_limits_.find(std::string_view(in.model->name));
    if (it != model_limits_.end()) model = it->second.get();
  }
  LimitSet* const sets[3] = {key ? key->limits.get() : nullptr, team, model};
  constexpr Scope kScopes[3] = {Scope::kKey, Scope::kTeam, Scope::kModel};
  for (int i = 0; i < 3; ++i) {
    if (!sets[i]) continue;
    if (sets[i]->try_acquire(t.taken_.tokens, in.now_ns, refusal)) {
      t.taken_.sets[t.taken_.sets_count++] = sets[i];
      continue;
    }
    release_all(t, in.now_ns);
    Scope scope = kScopes[i];
    for (int j = i + 1; j < 3; ++j) {  // Retry-After must cover every set still to pass
      if (!sets[j]) continue;
      const LimitRefusal p = sets[j]->probe(t.taken_.tokens, in.now_ns);
      if (p.wait_ns > refusal.wait_ns) refusal = p, scope = kScopes[j];
    }
    refuse_rate(d, refusal, scope, in);
    return false;
  }
  return true;
}

void Gatekeeper::refuse_rate(Decision& d, LimitRefusal worst, Scope scope,
                             const AdmitInput& in) const {
  const uint64_t retry_ms = worst.wait_ns == kNeverNs
                                ? kWindowMs[int(worst.kind) % 3]
                                : std::max<uint64_t>(ceil_ms(worst.wait_ns), 1);
  d.refusal = {RefusalKind::kRateLimited,
               scope,
               worst,
               retry_ms,
               {},
               saturating_add(in.input_tokens, in.max_output_tokens)};
}

bool Gatekeeper::reserve_budgets(const Key* key, const AdmitInput& in, Decision& d) const {
  if (!key) return true;
  Ticket& t = d.ticket;
  const int64_t cost = max_cost_micros(in);
  BudgetAccount* const accounts[2] = {key->budget.get(),
                                      key->team >= 0 ? teams_[key->team].budget.get() : nullptr};
  for (int i = 0; i < 2; ++i) {
    if (!accounts[i]) continue;
    BudgetRefusal refusal;
    if (accounts[i]->reserve(cost, in.unix_s, t.taken_.holds[t.taken_.accounts_count], refusal)) {
      t.taken_.accounts[t.taken_.accounts_count++] = accounts[i];
      continue;
    }
    release_all(t, in.now_ns);
    const Scope scope = i ? Scope::kTeam : Scope::kKey;
    // A budget shared through Redis can be short for a moment (a renewal) or unreachable.
    switch (refusal.shortfall) {
      case BudgetShortfall::kSpent:
        d.refusal = {RefusalKind::kBudgetExceeded, scope, {}, 0, refusal, 0};
        break;
      case BudgetShortfall::kRenewing:
        d.refusal = {RefusalKind::kBudgetRenewing, scope, {}, kFleetRenewRetryMs, refusal, 0};
        break;
      case BudgetShortfall::kUnavailable:
        d.refusal = {RefusalKind::kFleetUnavailable, scope, {}, kFleetRenewRetryMs, refusal, 0};
        break;
    }
    return false;
  }
  return true;
}

// After the local buckets: a request they refuse never spends the fleet's lease.
bool Gatekeeper::take_fleet(const Key* key, const AdmitInput& in, Decision& d) const {
  if (!key || !fleet_) return true;
  Ticket& t = d.ticket;
  const uint64_t unix_ms = in.unix_ms ? in.unix_ms : uint64_t(in.unix_s) * 1000;
  const Principal* const owners[2] = {key, key->team >= 0 ? &teams_[key->team] : nullptr};
  for (int o = 0; o < 2; ++o) {
    if (!owners[o]) continue;
    for (int k = 0; k < 3; ++k) {
      FleetLease* lease = owners[o]->fleet[k].get();
      if (!lease || (in.skip_exact_fleet && lease->exact())) continue;
      const FleetLease::Take take = lease->try_take(unix_ms);
      if (take == FleetLease::Take::kOk) {
        t.taken_.fleet[t.taken_.fleet_count] = lease;
        t.taken_.fleet_window[t.taken_.fleet_count++] = lease->window_of(unix_ms);
        continue;
      }
      release_all(t, in.now_ns);
      if (take == FleetLease::Take::kRenewing && lease->exact()) {
        d.refusal.kind = RefusalKind::kFleetPending;  // asked: the session waits for Redis
        d.refusal.scope = o ? Scope::kTeam : Scope::kKey;
        return false;
      }
      if (take == FleetLease::Take::kUnavailable) {
        d.refusal.kind = RefusalKind::kFleetUnavailable;
        d.refusal.scope = o ? Scope::kTeam : Scope::kKey;
        d.refusal.retry_after_ms = kFleetRenewRetryMs;
        return false;
      }
      // A renewal in flight answers within a round trip; a spent window frees when it ends.
      const uint64_t end_ms = lease->window_end_ms(lease->window_of(unix_ms));
      const uint64_t wait_ms =
          take == FleetLease::Take::kRenewing ? kFleetRenewRetryMs : end_ms - unix_ms;
      refuse_rate(d, {LimitKind(k), lease->limit(), wait_ms * kNsPerMs},
                  o ? Scope::kTeam : Scope::kKey, in);
      return false;
    }
  }
  return true;
}

void Gatekeeper::release_all(Ticket& t, uint64_t now_ns) const {
  for (int i = 0; i < t.taken_.fleet_count; ++i)
    t.taken_.fleet[i]->give_back(t.taken_.fleet_window[i]);
  for (int i = 0; i < t.taken_.sets_count; ++i) t.taken_.sets[i]->release(t.taken_.tokens, now_ns);
  for (int i = 0; i < t.taken_.accounts_count; ++i) t.taken_.accounts[i]->refund(t.taken_.holds[i]);
  t.clear();
}

void Gatekeeper::settle(Ticket& t, const SettleInput& in) const {
  if (in.refund) return release_all(t, in.now_ns);
  PendingCharge charge = leave(t);
  correct(charge, in);
}

PendingCharge Gatekeeper::leave(Ticket& t) {
  PendingCharge c = t.taken_;
  for (int i = 0; i < c.sets_count; ++i) c.sets[i]->leave_concurrency();
  t.clear();
  return c;
}

void Gatekeeper::correct(PendingCharge& c, const SettleInput& in) {
  const bool usage_known = in.input_tokens >= 0 && in.output_tokens >= 0;
  const uint64_t actual =
      usage_known ? saturating_add(uint64_t(in.input_tokens), uint64_t(in.output_tokens))
                  : c.tokens;  // unknown: the estimate stays charged
  for (int i = 0; i < c.sets_count; ++i) c.sets[i]->correct_tokens(c.tokens, actual, in.now_ns);
  for (int i = 0; i < c.accounts_count; ++i) {
    const int64_t cost = in.cost_micros >= 0 ? in.cost_micros : c.holds[i].micros;
    c.accounts[i]->settle(c.holds[i], cost, in.unix_s);
  }
  c = {};
}

}  // namespace ringgate::admission
