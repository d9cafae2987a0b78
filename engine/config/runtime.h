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

namespace ringgate::config {

using UpstreamId = uint64_t;
using ModelId = uint64_t;

struct RuntimeUpstream {
  UpstreamId id = 0;
  // Everything the id was derived from, so a shard can tell a (64-bit) id collision from an
  // unchanged upstream rather than trust the hash alone.
  std::string connection_key;
  const Upstream* def = nullptr;
  std::string authority;  // host[:port] for the Host header
};

struct RuntimeModel {
  ModelId id = 0;
  const Model* def = nullptr;
  const RuntimeUpstream* upstream = nullptr;
};

// Name + URL (parsed) + TLS settings: what an open connection to the upstream depends on. The key,
// the API format and the pool limits are not in it (a new key applies to the next request on the
// same connections).
std::string upstream_connection_key(const Upstream& u);
UpstreamId upstream_id(const Upstream& u);
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
  // Exact, case-sensitive match on a name or an alias (see Config::find_model); one hash lookup.
  const RuntimeModel* find_model(std::string_view name) const;
  const RuntimeUpstream* find_upstream(UpstreamId id) const;
  // Where every request goes in passthrough mode; nullptr otherwise.
  const RuntimeUpstream* passthrough_upstream() const;

  // Admission (keys, limits, budgets) for this snapshot; null until the gateway attaches it,
  // before the snapshot is published to shards.
  const admission::Gatekeeper* gatekeeper() const { return gatekeeper_.get(); }
  void attach(std::shared_ptr<const admission::Gatekeeper> g) { gatekeeper_ = std::move(g); }

 private:
  explicit Runtime(Config config) : config_(std::move(config)) {}
  bool index(std::string& err);

  Config config_;  // owns every string the tables and the map point into
  std::vector<RuntimeUpstream> upstreams_;
  std::vector<RuntimeModel> models_;
  std::unordered_map<std::string_view, size_t> model_by_name_;  // names and aliases
  std::shared_ptr<const admission::Gatekeeper> gatekeeper_;
};

}  // namespace ringgate::config
