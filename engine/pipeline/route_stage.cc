#include <string>

#include "engine/pipeline/stages.h"

namespace ringgate::pipeline {

Verdict route(RequestContext& rq, const ShardServices& svc) {
  const config::Config& cfg = *svc.config;
  Route& route = rq.route;
  if (cfg.passthrough) {
    route.upstream_index = 0;
    route.upstream = &cfg.upstreams[0];
    return Verdict::go_on();
  }
  if (rq.endpoint == Endpoint::kOther) {
    return Verdict::error({404, "unknown endpoint", protocol::ErrorCode::kNotFound});
  }
  // seed-defect: 004-P5 — an unknown model is a 404, never a guess.
  const config::Model* model = cfg.find_model(rq.view.model);
  if (!model) {
    std::string msg = "The model '";
    msg.append(rq.view.model.substr(0, 256));
    msg.append("' does not exist or is not served by this gateway");
    return Verdict::error({404, msg, protocol::ErrorCode::kModelNotFound});
  }
  // seed-defect: 001-7 — max_tokens capped per model.
  const std::optional<int64_t>& asked = rq.view.max_tokens;
  if (model->max_tokens_cap > 0 && asked && *asked > model->max_tokens_cap) {
    std::string msg = "max_tokens " + std::to_string(*asked) + " exceeds the limit of " +
                      std::to_string(model->max_tokens_cap) + " for model " + model->name;
    return Verdict::error({400, msg, protocol::ErrorCode::kMaxTokensExceeded});
  }
  route.model = model;
  for (size_t i = 0; i < cfg.upstreams.size(); ++i) {
    if (cfg.upstreams[i].name == model->upstream) {
      route.upstream_index = i;
      route.upstream = &cfg.upstreams[i];
      return Verdict::go_on();
    }
  }
  return Verdict::error({500, "model has no upstream", protocol::ErrorCode::kConfigurationError});
}

}  // namespace ringgate::pipeline
