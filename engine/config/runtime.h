// A config snapshot turned into the tables the request path reads: upstreams and models with
// stable ids, and the model lookup by name or alias done once into a hash map.
//
// A Runtime is immutable and shared read-only by every shard. A reload builds a new one and
// swaps it in by pointer; a request keeps the one it started on (a shared_ptr) until it ends.
// Shard-local state (upstream pools, TLS contexts, later breakers) is keyed by UpstreamId, which
// is derived from what defines an upstream's connections, so an upstream that a reload leaves
// unchanged keeps its id and its pools.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/config/config.h"

namespace ringgate::admission {
class Gatekeeper;  // engine/admission: above config, so only named here
}
namespace ringgate::gateway {
class DeploymentSlots;   // engine/gateway: the node-wide max_concurrent counts
class DeploymentHealth;  // engine/gateway: the node-wide health probe results
}  // namespace ringgate::gateway
namespace ringgate::managed {
class ManagedFleet;  // engine/managed: the managed deployments' live status
}

namespace ringgate::config {

using UpstreamId = uint64_t;
using ModelId = uint64_t;
using DeploymentId = uint64_t;

struct RuntimeUpstream {
  UpstreamId id = 0;
  // Everything the id was derived from, so a shard can tell a (64-bit) id collision from an
  // unchanged upstream rather than trust the hash alone.
  std::string connection_key;
  const Upstream* def = nullptr;
  std::string authority;  // host[:port] for the Host header
};

// One place a model runs. Shard-local routing state (breakers, key pools, in-flight counts) is
// keyed by id, derived like UpstreamId from what defines the deployment, so a reload that leaves
// it unchanged keeps that state.
struct RuntimeDeployment {
  DeploymentId id = 0;
  const Deployment* def = nullptr;  // a [[deployments]] entry, or the one a shorthand model implies
  const RuntimeUpstream* upstream = nullptr;
  // The provider keys the deployment rotates through: its own keys, else the upstream's api_key
  // (one entry, empty when the upstream has none).
  std::vector<std::string_view> keys;
  bool implicit = false;  // from a model's upstream / upstream_model shorthand
};

struct RuntimeModel {
  ModelId id = 0;
  const Model* def = nullptr;
  const RuntimeUpstream* upstream = nullptr;          // the first deployment's
  std::vector<const RuntimeDeployment*> deployments;  // as the model lists them
  // Every model tried after this one's deployments, in order: its fallbacks, each followed by
  // their own fallbacks (depth first, each model once; the loader refuses cycles).
  std::vector<const RuntimeModel*> fallbacks;
  // What admission reserves a budget at: the highest input and the highest output price among
  // every deployment the request might end on (a deployment's own price, else its model's), so a
  // reservation is never below what the answer can cost. Unset when none of them has a price.
  Price reserve_price;
};

// Name + URL (parsed) + TLS settings: what an open connection to the upstream depends on. The key,
// the API format and the pool limits are not in it (a new key applies to the next request on the
// same connections).
std::string upstream_connection_key(const Upstream& u);
UpstreamId upstream_id(const Upstream& u);
// Name, upstream (its connection key) and the model sent: what the routing state describes.
DeploymentId deployment_id(const Deployment& d, const RuntimeUpstream& up, bool implicit);
// From the model's name: the identity clients see, and what later limits and budgets key on.
ModelId model_id(const Model& m);

class Runtime {
 public:
  // nullptr with a reason in err when the tables cannot be built (a model names an unknown
  // upstream, two upstreams collide on an id). The loader refuses the first already.
  // Mutable only until published: the gateway attaches what upper layers build from it.
  static std::shared_ptr<Runtime> build(Config config, std::string& err);

  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Config& config() const { return config_; }
  const std::vector<RuntimeUpstream>& upstreams() const { return upstreams_; }
  const std::vector<RuntimeModel>& models() const { return models_; }
  const std::vector<RuntimeDeployment>& deployments() const { return deployments_; }
  // Exact, case-sensitive match on a name or an alias (see Config::find_model); one hash lookup.
  const RuntimeModel* find_model(std::string_view name) const;
  const RuntimeUpstream* find_upstream(UpstreamId id) const;
  const RuntimeDeployment* find_deployment(DeploymentId id) const;
  // Where every request goes in passthrough mode; nullptr otherwise.
  const RuntimeUpstream* passthrough_upstream() const;

  // Admission (keys, limits, budgets) for this snapshot; null until the gateway attaches it,
  // before the snapshot is published to shards.
  const admission::Gatekeeper* gatekeeper() const { return gatekeeper_.get(); }
  void attach(std::shared_ptr<const admission::Gatekeeper> g) { gatekeeper_ = std::move(g); }
  // Every deployment's in-flight count against its max_concurrent; attached like the gatekeeper.
  const gateway::DeploymentSlots* deployment_slots() const { return slots_.get(); }
  void attach(std::shared_ptr<const gateway::DeploymentSlots> s) { slots_ = std::move(s); }
  // Every deployment's health probe state; attached like the gatekeeper.
  const gateway::DeploymentHealth* deployment_health() const { return health_.get(); }
  void attach(std::shared_ptr<const gateway::DeploymentHealth> h) { health_ = std::move(h); }
  // The managed deployments' processes; attached like the gatekeeper (null: none managed).
  const managed::ManagedFleet* managed_fleet() const { return managed_.get(); }
  void attach(std::shared_ptr<const managed::ManagedFleet> m) { managed_ = std::move(m); }

 private:
  explicit Runtime(Config config) : config_(std::move(config)) {}
  bool index(std::string& err);
  bool index_deployments(std::string& err);
  bool index_models(std::string& err);
  const RuntimeDeployment* add_deployment(const Deployment& d, bool implicit, std::string& err);
  void resolve_fallbacks();
  static void choose_reserve_price(RuntimeModel& m);

  Config config_;  // owns every string the tables and the map point into
  std::vector<RuntimeUpstream> upstreams_;
  std::vector<RuntimeModel> models_;
  std::vector<Deployment> implicit_defs_;       // what shorthand models imply; reserved once
  std::vector<RuntimeDeployment> deployments_;  // explicit, then implicit; reserved once
  std::unordered_map<DeploymentId, size_t> deployment_by_id_;
  std::unordered_map<std::string_view, size_t> model_by_name_;  // names and aliases
  std::shared_ptr<const admission::Gatekeeper> gatekeeper_;
  std::shared_ptr<const gateway::DeploymentSlots> slots_;
  std::shared_ptr<const gateway::DeploymentHealth> health_;
  std::shared_ptr<const managed::ManagedFleet> managed_;
};

}  // namespace ringgate::config
