#include "engine/config/runtime.h"

#include <algorithm>

namespace ringgate::config {

namespace {

// FNV-1a: stable across processes and builds (std::hash is not), so ids can be logged and
// compared between runs.
uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Length-prefixed, so ("ab", "c") and ("a", "bc") never make the same key.
void append_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

}  // namespace

std::string upstream_connection_key(const Upstream& u) {
  std::string key;
  // The parsed URL, not the text: "http://h:80/v1/" and "http://h/v1" open the same connections.
  append_field(key, u.name);
  append_field(key, u.parsed.tls ? "https" : "http");
  append_field(key, u.parsed.host);
  append_field(key, std::to_string(u.parsed.port));
  append_field(key, u.parsed.base_path);
  append_field(key, u.tls_verify ? "verify" : "no-verify");
  append_field(key, u.ca_file);
  return key;
}

UpstreamId upstream_id(const Upstream& u) { return fnv1a(upstream_connection_key(u)); }

ModelId model_id(const Model& m) { return fnv1a(m.name); }

DeploymentId deployment_id(const Deployment& d, const RuntimeUpstream& up, bool implicit) {
  std::string key;
  append_field(key, implicit ? "implicit" : "deployment");  // a model and a deployment may share
  append_field(key, d.name);                                // a name
  append_field(key, up.connection_key);
  append_field(key, d.model);
  return fnv1a(key);
}

std::shared_ptr<Runtime> Runtime::build(Config config, std::string& err) {
  // Not make_shared: the constructor is private, and the tables point into config_, so the
  // object must never move once indexed.
  std::shared_ptr<Runtime> rt(new Runtime(std::move(config)));
  if (!rt->index(err)) return nullptr;
  return rt;
}

bool Runtime::index(std::string& err) {
  upstreams_.reserve(config_.upstreams.size());  // models_ point into it: no reallocation later
  std::unordered_map<UpstreamId, size_t> by_id;
  for (const Upstream& u : config_.upstreams) {
    RuntimeUpstream ru{upstream_id(u), upstream_connection_key(u), &u, u.parsed.authority()};
    if (!by_id.emplace(ru.id, upstreams_.size()).second) {
      err = "upstreams " + upstreams_[by_id[ru.id]].def->name + " and " + u.name +
            " have the same id; rename one";
      return false;
    }
    upstreams_.push_back(std::move(ru));
  }
  return index_deployments(err) && index_models(err);
}

const RuntimeDeployment* Runtime::add_deployment(const Deployment& d, bool implicit,
                                                 std::string& err) {
  const RuntimeUpstream* up = nullptr;
  for (const RuntimeUpstream& ru : upstreams_) {
    if (ru.def->name == d.upstream) up = &ru;
  }
  if (!up) {
    err = (implicit ? "model " : "deployment ") + d.name + ": unknown upstream " + d.upstream;
    return nullptr;
  }
  RuntimeDeployment rd{deployment_id(d, *up, implicit), &d, up, {}, implicit};
  for (const std::string& k : d.keys) rd.keys.push_back(k);
  if (rd.keys.empty()) rd.keys.push_back(up->def->api_key);
  if (!deployment_by_id_.emplace(rd.id, deployments_.size()).second) {
    err = "deployments " + deployments_[deployment_by_id_[rd.id]].def->name + " and " + d.name +
          " have the same id; rename one";
    return nullptr;
  }
  deployments_.push_back(std::move(rd));
  return &deployments_.back();
}

// Explicit deployments first; then one per shorthand model ([[models]] upstream/upstream_model),
// named after the model, with the upstream's key, [timeouts] and no price of its own.
bool Runtime::index_deployments(std::string& err) {
  implicit_defs_.reserve(config_.models.size());
  deployments_.reserve(config_.deployments.size() + config_.models.size());
  for (const Deployment& d : config_.deployments) {
    if (!add_deployment(d, false, err)) return false;
  }
  for (const Model& m : config_.models) {
    if (!m.deployments.empty()) continue;
    Deployment d;
    d.name = m.name;
    d.upstream = m.upstream;
    d.model = m.served_name();
    d.connect_ms = config_.timeouts.upstream_connect_ms;
    d.ttfb_ms = config_.timeouts.upstream_ttfb_ms;
    implicit_defs_.push_back(std::move(d));
    if (!add_deployment(implicit_defs_.back(), true, err)) return false;
  }
  return true;
}

bool Runtime::index_models(std::string& err) {
  models_.reserve(config_.models.size());
  size_t next_implicit = config_.deployments.size();
  for (const Model& m : config_.models) {
    RuntimeModel rm{model_id(m), &m, nullptr, {}, {}};
    if (m.deployments.empty()) {
      rm.deployments.push_back(&deployments_[next_implicit++]);
    }
    for (const std::string& name : m.deployments) {
      const RuntimeDeployment* found = nullptr;
      for (size_t i = 0; i < config_.deployments.size(); ++i) {
        if (deployments_[i].def->name == name) found = &deployments_[i];
      }
      if (!found) {
        err = "model " + m.name + ": unknown deployment " + name;
        return false;
      }
      rm.deployments.push_back(found);
    }
    rm.upstream = rm.deployments.front()->upstream;
    models_.push_back(std::move(rm));
    // The loader refuses duplicate names; emplace keeps the first if one slips through, as
    // Config::find_model would.
    model_by_name_.emplace(m.name, models_.size() - 1);
    for (const std::string& alias : m.aliases) model_by_name_.emplace(alias, models_.size() - 1);
  }
  resolve_fallbacks();
  return true;
}

void Runtime::resolve_fallbacks() {
  for (RuntimeModel& rm : models_) {
    std::vector<const RuntimeModel*> pending;  // a stack: depth first, in the order written
    auto push_fallbacks_of = [&](const RuntimeModel& m) {
      for (auto it = m.def->fallbacks.rbegin(); it != m.def->fallbacks.rend(); ++it) {
        if (const RuntimeModel* f = find_model(*it)) pending.push_back(f);
      }
    };
    push_fallbacks_of(rm);
    while (!pending.empty()) {
      const RuntimeModel* f = pending.back();
      pending.pop_back();
      if (f == &rm || std::find(rm.fallbacks.begin(), rm.fallbacks.end(), f) != rm.fallbacks.end())
        continue;  // each model once, so a cycle that slipped past the loader still ends
      rm.fallbacks.push_back(f);
      push_fallbacks_of(*f);
    }
    choose_reserve_price(rm);
  }
}

void Runtime::choose_reserve_price(RuntimeModel& m) {
  Price& out = m.reserve_price;
  auto take = [&out](const Price& p) {
    if (!p.set) return;
    out.input_per_mtok_micros = std::max(out.input_per_mtok_micros, p.input_per_mtok_micros);
    out.output_per_mtok_micros = std::max(out.output_per_mtok_micros, p.output_per_mtok_micros);
    out.cached_input_per_mtok_micros =
        std::max(out.cached_input_per_mtok_micros, p.cached_input_per_mtok_micros);
    out.cache_write_per_mtok_micros =
        std::max(out.cache_write_per_mtok_micros, p.cache_write_per_mtok_micros);
    out.set = true;
  };
  auto take_model = [&take](const RuntimeModel& rm) {
    for (const RuntimeDeployment* d : rm.deployments)
      take(d->def->price.set ? d->def->price : rm.def->price);
  };
  take_model(m);
  for (const RuntimeModel* f : m.fallbacks) take_model(*f);
}

const RuntimeModel* Runtime::find_model(std::string_view name) const {
  auto it = model_by_name_.find(name);
  return it == model_by_name_.end() ? nullptr : &models_[it->second];
}

const RuntimeUpstream* Runtime::find_upstream(UpstreamId id) const {
  for (const RuntimeUpstream& u : upstreams_) {
    if (u.id == id) return &u;
  }
  return nullptr;
}

const RuntimeDeployment* Runtime::find_deployment(DeploymentId id) const {
  auto it = deployment_by_id_.find(id);
  return it == deployment_by_id_.end() ? nullptr : &deployments_[it->second];
}

const RuntimeUpstream* Runtime::passthrough_upstream() const {
  return config_.passthrough && !upstreams_.empty() ? &upstreams_[0] : nullptr;
}

}  // namespace ringgate::config
