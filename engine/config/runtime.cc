#include "engine/config/runtime.h"

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
  models_.reserve(config_.models.size());
  for (const Model& m : config_.models) {
    const RuntimeUpstream* up = nullptr;
    for (const RuntimeUpstream& ru : upstreams_) {
      if (ru.def->name == m.upstream) up = &ru;
    }
    if (!up) {
      err = "model " + m.name + ": unknown upstream " + m.upstream;
      return false;
    }
    models_.push_back(RuntimeModel{model_id(m), &m, up});
    // The loader refuses duplicate names; emplace keeps the first if one slips through, as
    // Config::find_model would.
    model_by_name_.emplace(m.name, models_.size() - 1);
    for (const std::string& alias : m.aliases) model_by_name_.emplace(alias, models_.size() - 1);
  }
  return true;
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

const RuntimeUpstream* Runtime::passthrough_upstream() const {
  return config_.passthrough && !upstreams_.empty() ? &upstreams_[0] : nullptr;
}

}  // namespace ringgate::config
