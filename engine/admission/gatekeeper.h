// Admission for one config snapshot: who is calling (virtual key, or the anonymous tier by
// address), whether they may use the model, whether their limits (key, team, model) and budgets
// (key, team) let the request through. Built once per snapshot and shared read-only by every
// shard; all mutable state is atomics in LimitSets, the AnonymousTable and BudgetAccounts, held by
// shared_ptr so a reload carries the state of unchanged keys, teams and models over, and tickets
// of the old snapshot settle into the same state. admit() and settle() take no lock and allocate
// nothing; build() allocates (the key index, every LimitSet, the anonymous table).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/admission/admission_decision.h"
#include "engine/admission/anonymous_table.h"
#include "engine/admission/budget_store.h"
#include "engine/admission/key_index.h"

namespace ringgate::admission {

class Gatekeeper {
 public:
  struct Options {
    size_t anonymous_slots = 8192;         // distinct anonymous addresses (IPv6: /64s) tracked
    std::shared_ptr<BudgetStore> budgets;  // null: previous's store, else a new in-memory one
    std::shared_ptr<FleetLeases> fleet;    // null: previous's, else limits are this node's only
  };

  // `previous` (may be null) is the snapshot being replaced.
  static std::shared_ptr<Gatekeeper> build(const config::Config& config, const Gatekeeper* previous,
                                           Options options);
  static std::shared_ptr<Gatekeeper> build(const config::Config& config,
                                           const Gatekeeper* previous) {
    return build(config, previous, Options());
  }

  Decision admit(const AdmitInput& in) const;
  // For answers that cost nothing (the model list): the model patterns of the caller `in` names
  // (its key's or the anonymous tier's; empty: every model), taking no limit. Null, with
  // d.refusal set as admit() sets it, for a missing or wrong key.
  const std::vector<std::string>* caller_models(const AdmitInput& in, Decision& d) const;
  // Leaves concurrency, corrects tokens, settles or refunds budgets; clears the ticket.
  void settle(Ticket& ticket, const SettleInput& in) const;
  // The two halves of settle() for an answer whose usage comes later: leave() frees the
  // concurrency slots now (on the shard) and hands over what is still owed; correct() charges
  // it to the real usage, from any thread, once (it clears the charge). Unknown usage in `in`
  // keeps the estimate and the reservation charged, as settle() does.
  static PendingCharge leave(Ticket& ticket);
  static void correct(PendingCharge& charge, const SettleInput& in);

  config::AuthMode mode() const { return mode_; }
  const std::shared_ptr<BudgetStore>& budget_store() const { return budgets_; }

  struct Principal {  // a key or a team
    std::string name;
    std::shared_ptr<LimitSet> limits;       // null: no limits
    std::shared_ptr<BudgetAccount> budget;  // null: no budget
    // Fleet-wide rpm, rph, rpd through Redis ([cluster]); null where not limited.
    std::array<std::shared_ptr<FleetLease>, 3> fleet;
  };

  // For the admin API, any thread: f(id, team ("" for none), limits, budget) per configured key
  // (limits and budget may be null), and f(name, keys in it, limits, budget) per team.
  template <class F>
  void for_each_key(F&& f) const {
    for (const Key& k : keys_) {
      f(std::string_view(k.name), k.team >= 0 ? std::string_view(teams_[k.team].name) : "",
        k.limits.get(), k.budget.get());
    }
  }
  template <class F>
  void for_each_team(F&& f) const {
    for (size_t t = 0; t < teams_.size(); ++t) {
      size_t members = 0;
      for (const Key& k : keys_) members += k.team == int(t);
      f(std::string_view(teams_[t].name), members, teams_[t].limits.get(), teams_[t].budget.get());
    }
  }

  // f(Scope::kKey or kTeam, name, account) for every budget of this snapshot: what budget alerts
  // watch, off the request path.
  template <class F>
  void for_each_budget(F&& f) const {
    for (const Key& k : keys_) {
      if (k.budget) f(Scope::kKey, std::string_view(k.name), k.budget.get());
    }
    for (const Principal& t : teams_) {
      if (t.budget) f(Scope::kTeam, std::string_view(t.name), t.budget.get());
    }
  }

 private:
  struct Key : Principal {
    int team = -1;  // index into teams_
    std::vector<std::string> models;
    bool modelless = false;
    std::vector<config::ProviderKey> provider_keys;
  };
  struct Hash : std::hash<std::string_view> {
    using is_transparent = void;
  };
  using ModelLimits =
      std::unordered_map<std::string, std::shared_ptr<LimitSet>, Hash, std::equal_to<>>;

  void build_keys(const config::Config& config, const Gatekeeper* previous);
  void build_models_and_anonymous(const config::Config& config, const Gatekeeper* previous);
  const Key* identify(const AdmitInput& in, Decision& d) const;
  const Key* named(const Key& key, Decision& d) const;  // the key's and its team's names into d
  bool allowed(const Key* key, const AdmitInput& in, Decision& d) const;
  bool acquire_limits(const Key* key, const AdmitInput& in, Decision& d) const;
  bool reserve_budgets(const Key* key, const AdmitInput& in, Decision& d) const;
  bool take_fleet(const Key* key, const AdmitInput& in, Decision& d) const;
  void attach_fleet(Principal& p, std::string_view scope, const config::RateLimits& limits);
  void refuse_rate(Decision& d, LimitRefusal worst, Scope scope, const AdmitInput& in) const;
  void release_all(Ticket& t, uint64_t now_ns) const;

  config::AuthMode mode_ = config::AuthMode::kKeys;
  KeyIndex index_;
  std::unordered_map<std::string, uint32_t> subjects_;  // tls_subject -> index in keys_
  std::vector<Key> keys_;
  std::vector<Principal> teams_;
  ModelLimits model_limits_;
  bool anonymous_ = false;
  std::vector<std::string> anonymous_models_;
  std::shared_ptr<AnonymousTable> anonymous_table_;  // null: no per-address limits
  std::shared_ptr<BudgetStore> budgets_;
  std::shared_ptr<FleetLeases> fleet_;
};

}  // namespace ringgate::admission
