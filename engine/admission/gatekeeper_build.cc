// Gatekeeper::build: the snapshot's tables, carrying state over from the previous snapshot for
// every key, team, model and the anonymous tier whose limits did not change. Budgets always
// carry over by scope name (the store keeps them): money spent stays spent when a limit changes.
#include <algorithm>

#include "engine/admission/budget_restore.h"
#include "engine/admission/fleet_budget_store.h"
#include "engine/admission/gatekeeper.h"
#include "engine/admission/in_memory_budget_store.h"

namespace ringgate::admission {
namespace {

bool same(const config::RateLimits& a, const config::RateLimits& b) {
  return a.rpm == b.rpm && a.rph == b.rph && a.rpd == b.rpd && a.tpm == b.tpm && a.tph == b.tph &&
         a.tpd == b.tpd && a.concurrent == b.concurrent;
}

// The previous snapshot's set when its limits are the same, else a fresh one (null: no limits).
std::shared_ptr<LimitSet> limits_for(const config::RateLimits& limits,
                                     const std::shared_ptr<LimitSet>* previous) {
  if (!limits.any()) return nullptr;
  if (previous && *previous && same((*previous)->limits(), limits)) return *previous;
  return std::make_shared<LimitSet>(limits);
}

template <typename T>
const T* find_named(const std::vector<T>& v, std::string_view name) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.name == name; });
  return it == v.end() ? nullptr : &*it;
}

}  // namespace

std::shared_ptr<Gatekeeper> Gatekeeper::build(const config::Config& config,
                                              const Gatekeeper* previous, Options options) {
  auto g = std::make_shared<Gatekeeper>();
  const config::Admission& a = config.admission;
  // Unset with no keys is refused by the loader; here it fails closed, never open (001-4).
  g->mode_ = a.mode == config::AuthMode::kNone ? config::AuthMode::kNone : config::AuthMode::kKeys;
  g->fleet_ = options.fleet ? options.fleet : previous ? previous->fleet_ : nullptr;
  // With [cluster], budgets are the fleet's too (leases of microdollars through Redis).
  if (options.budgets)
    g->budgets_ = options.budgets;
  else if (previous && previous->budgets_)
    g->budgets_ = previous->budgets_;
  else if (g->fleet_)
    g->budgets_ = std::make_shared<FleetBudgetStore>(g->fleet_);
  else
    g->budgets_ = std::make_shared<InMemoryBudgetStore>();
  g->build_keys(config, previous);
  g->build_models_and_anonymous(config, previous);
  if (g->anonymous_ && a.anonymous.limits_per_address.any()) {
    const auto& prev = previous ? previous->anonymous_table_ : nullptr;
    g->anonymous_table_ = prev && same(prev->limits(), a.anonymous.limits_per_address)
                              ? prev
                              : std::make_shared<AnonymousTable>(a.anonymous.limits_per_address,
                                                                 options.anonymous_slots);
  }
  return g;
}

void Gatekeeper::build_keys(const config::Config& config, const Gatekeeper* previous) {
  for (const config::Team& t : config.admission.teams) {
    const Principal* old = previous ? find_named(previous->teams_, t.name) : nullptr;
    Principal p{t.name, limits_for(t.limits, old ? &old->limits : nullptr), nullptr};
    if (t.budget.any()) p.budget = budgets_->account(team_budget_scope(t.name), t.budget);
    attach_fleet(p, team_budget_scope(t.name), t.limits);
    teams_.push_back(std::move(p));
  }
  std::vector<std::pair<config::KeyHash, uint32_t>> digests;
  for (const config::VirtualKey& k : config.admission.keys) {
    const Key* old = previous ? find_named(previous->keys_, k.id) : nullptr;
    Key key;
    key.name = k.id;
    key.limits = limits_for(k.limits, old ? &old->limits : nullptr);
    if (k.budget.any()) key.budget = budgets_->account(key_budget_scope(k.id), k.budget);
    attach_fleet(key, key_budget_scope(k.id), k.limits);
    const Principal* team = k.team.empty() ? nullptr : find_named(teams_, k.team);
    key.team = team ? int(team - teams_.data()) : -1;
    key.models = k.models;
    key.modelless = k.allow_modelless_paths;
    key.provider_keys = k.provider_keys;
    key.expires_at_s = k.expires_at.value_or(0);
    key.managed = k.managed;
    if (k.has_sha256) digests.emplace_back(k.sha256, uint32_t(keys_.size()));
    if (!k.tls_subject.empty()) subjects_.emplace(k.tls_subject, uint32_t(keys_.size()));
    keys_.push_back(std::move(key));
  }
  index_ = KeyIndex(std::move(digests));
}

// Requests per minute, hour and day become fleet-wide with [cluster]; tokens and concurrency
// stay per node (a request's tokens are known only after it ends).
void Gatekeeper::attach_fleet(Principal& p, std::string_view scope,
                              const config::RateLimits& limits) {
  if (!fleet_) return;
  const uint64_t per_window[3] = {limits.rpm, limits.rph, limits.rpd};
  constexpr uint64_t kWindowS[3] = {60, 3600, 86'400};
  constexpr std::string_view kSuffix[3] = {":rpm", ":rph", ":rpd"};
  for (int i = 0; i < 3; ++i) {
    if (!per_window[i]) continue;
    std::string name(scope);
    name.append(kSuffix[i]);
    p.fleet[i] = fleet_->lease(name, per_window[i], kWindowS[i]);
  }
}

void Gatekeeper::build_models_and_anonymous(const config::Config& config,
                                            const Gatekeeper* previous) {
  for (const config::Model& m : config.models) {
    if (!m.limits.any()) continue;
    const std::shared_ptr<LimitSet>* old = nullptr;
    if (previous) {
      auto it = previous->model_limits_.find(m.name);
      if (it != previous->model_limits_.end()) old = &it->second;
    }
    model_limits_.emplace(m.name, limits_for(m.limits, old));
  }
  const config::Anonymous& anon = config.admission.anonymous;
  anonymous_ = mode_ == config::AuthMode::kKeys && anon.enabled;
  anonymous_models_ = anon.models;
}

}  // namespace ringgate::admission
