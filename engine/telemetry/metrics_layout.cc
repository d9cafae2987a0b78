#include "engine/telemetry/metrics_layout.h"

#include "engine/admission/admission_decision.h"

namespace ringgate::telemetry {

namespace {

// Names, then other and none; `index` maps each name to its position.
void name_list(std::vector<std::string>& names,
               std::unordered_map<std::string_view, uint32_t>& index) {
  names.emplace_back(kOtherLabel);
  names.emplace_back(kNoneLabel);
  for (size_t i = 0; i + 2 < names.size(); ++i) index.emplace(names[i], uint32_t(i));
}

void sign(std::string& sig, const std::vector<std::string>& names) {
  for (const std::string& n : names) sig.append(n).push_back('\n');
  sig.push_back('\0');
}

}  // namespace

size_t MetricsLayout::find(const std::unordered_map<std::string_view, uint32_t>& map,
                           std::string_view name, size_t other) {
  auto it = map.find(name);
  return it == map.end() ? other : it->second;
}

size_t MetricsLayout::model_index(const config::Model* model, bool named) const {
  if (!model) return models_.size() - (named ? 2 : 1);
  return find(model_by_name_, model->name, models_.size() - 2);
}

size_t MetricsLayout::upstream_index(std::string_view name) const {
  if (name.empty()) return upstreams_.size() - 1;
  return find(upstream_by_name_, name, upstreams_.size() - 2);
}

size_t MetricsLayout::team_of_key(std::string_view key_id) const {
  return find(team_by_key_, key_id, teams_.size() - 2);
}

void MetricsLayout::add_routes(size_t model, const std::vector<size_t>& upstreams) {
  for (size_t u : upstreams) {
    route_of_[model * stride() + u] = uint32_t(route_model_.size());
    route_model_.push_back(uint32_t(model));
    route_upstream_.push_back(uint32_t(u));
  }
}

std::shared_ptr<const MetricsLayout> MetricsLayout::build(const config::Config& config) {
  std::shared_ptr<MetricsLayout> l(new MetricsLayout());
  for (const config::Model& m : config.models) l->models_.push_back(m.name);
  for (const config::Upstream& u : config.upstreams) l->upstreams_.push_back(u.name);
  for (const config::Team& t : config.admission.teams) l->teams_.push_back(t.name);
  name_list(l->models_, l->model_by_name_);
  name_list(l->upstreams_, l->upstream_by_name_);
  std::unordered_map<std::string_view, uint32_t> team_by_name;
  name_list(l->teams_, team_by_name);
  for (const config::VirtualKey& k : config.admission.keys) l->key_ids_.push_back(k.id);
  const size_t none_team = l->teams_.size() - 1;
  for (size_t i = 0; i < config.admission.keys.size(); ++i) {
    const std::string& team = config.admission.keys[i].team;
    size_t t = team.empty() ? none_team : find(team_by_name, team, none_team);
    l->team_by_key_.emplace(l->key_ids_[i], uint32_t(t));
    l->signature_.append(l->key_ids_[i]).append("=").append(l->teams_[t]).push_back('\n');
  }
  l->team_by_key_.emplace(admission::kAnonymousKeyId, uint32_t(none_team));

  const size_t n_up = l->upstreams_.size(), other_up = n_up - 2, none_up = n_up - 1;
  l->route_of_.assign(l->models_.size() * n_up, 0);
  std::vector<size_t> every_upstream;
  for (size_t u = 0; u < n_up; ++u) every_upstream.push_back(u);
  for (size_t m = 0; m < config.models.size(); ++m) {
    size_t own = l->upstream_index(config.models[m].upstream);
    l->add_routes(m, own == other_up ? std::vector<size_t>{other_up, none_up}
                                     : std::vector<size_t>{own, other_up, none_up});
    for (size_t u = 0; u < n_up; ++u) {  // any other upstream folds into (m, other)
      if (u != own && u != none_up) l->route_of_[m * n_up + u] = l->route_of_[m * n_up + other_up];
    }
    l->signature_.append(l->models_[m]).append("->").append(l->upstreams_[own]).push_back('\n');
  }
  for (size_t m = config.models.size(); m < l->models_.size(); ++m)
    l->add_routes(m, every_upstream);
  sign(l->signature_, l->models_);
  sign(l->signature_, l->upstreams_);
  sign(l->signature_, l->teams_);
  return l;
}

}  // namespace ringgate::telemetry
