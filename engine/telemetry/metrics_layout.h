// Which label values the metrics may show, and where each combination's counter sits: names come
// only from the config ([[models]] names, [[upstreams]], [[teams]]), with "other" for a name the
// config does not list and "none" where a request had none (no model named, no upstream chosen,
// no team). A client can send any model name it likes; the label set stays what the config
// allows (seed-defect 000-H2). Built from a snapshot, then immutable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/config/config.h"

namespace ringgate::telemetry {

inline constexpr std::string_view kOtherLabel = "other";
inline constexpr std::string_view kNoneLabel = "none";

class MetricsLayout {
 public:
  static std::shared_ptr<const MetricsLayout> build(const config::Config& config);

  // The values of each label: the configured names, then "other", then "none".
  const std::vector<std::string>& models() const { return models_; }
  const std::vector<std::string>& upstreams() const { return upstreams_; }
  const std::vector<std::string>& teams() const { return teams_; }

  // `model`: the canonical entry a request resolved to (of any snapshot: matched by name), or
  // null; `named`: the client named a model (null model and named: not configured, "other").
  size_t model_index(const config::Model* model, bool named) const;
  size_t upstream_index(std::string_view name) const;  // "": none
  // The team of a key id ("anonymous" and keys without a team: none; an unknown id: other).
  size_t team_of_key(std::string_view key_id) const;

  // The (model, deployment) pairs a request can end on, so the request counters grow with the
  // routes the config has rather than models x upstreams: a configured model with its upstream
  // (routing adds its other deployments here), "other" and "none"; a request without a
  // configured model with any upstream. A pair outside the table folds into (model, "other").
  size_t route_count() const { return route_model_.size(); }
  size_t route(size_t model, size_t upstream) const {
    return route_of_[model * stride() + upstream];
  }
  size_t route_model(size_t route) const { return route_model_[route]; }
  size_t route_upstream(size_t route) const { return route_upstream_[route]; }

  // Same names, routes and key teams: counters of one fit the other.
  bool same_as(const MetricsLayout& o) const { return signature_ == o.signature_; }

 private:
  MetricsLayout() = default;
  void add_routes(size_t model, const std::vector<size_t>& upstreams);
  size_t stride() const { return upstreams_.size(); }
  static size_t find(const std::unordered_map<std::string_view, uint32_t>& map,
                     std::string_view name, size_t other);

  std::vector<std::string> models_, upstreams_, teams_, key_ids_;
  std::unordered_map<std::string_view, uint32_t> model_by_name_, upstream_by_name_, team_by_key_;
  std::vector<uint32_t> route_of_;  // [model][upstream]
  std::vector<uint32_t> route_model_, route_upstream_;
  std::string signature_;
};

}  // namespace ringgate::telemetry
