#include <string>

#include "engine/pipeline/stages.h"

namespace ringgate::pipeline {

Verdict route(RequestContext& rq, const ShardServices&) {
  const config::Runtime& rt = *rq.runtime;
  Route& route = rq.route;
  if (const config::RuntimeUpstream* up = rt.passthrough_upstream()) {
    route.upstream_id = up->id;
    route.upstream = up->def;
    return Verdict::go_on();
  }
  if (rq.endpoint == Endpoint::kOther) {
    return Verdict::error({404, "unknown endpoint", protocol::ErrorCode::kNotFound});
  }
  // seed-defect: 004-P5 — an unknown model is a 404, never a guess.
  const config::RuntimeModel* entry = rt.find_model(rq.view.model);
  if (!entry) {
    std::string msg = "The model '";
    msg.append(rq.view.model.substr(0, 256));
    msg.append("' does not exist or is not served by this gateway");
    return Verdict::error({404, msg, protocol::ErrorCode::kModelNotFound});
  }
  const config::Model* model = entry->def;
  // seed-defect: 001-7 — max_tokens capped per model.
  const std::optional<int64_t>& asked = rq.view.max_tokens;
  if (model->max_tokens_cap > 0 && asked && *asked > model->max_tokens_cap) {
    std::string msg = "max_tokens " + std::to_string(*asked) + " exceeds the limit of " +
                      std::to_string(model->max_tokens_cap) + " for model " + model->name;
    return Verdict::error({400, msg, protocol::ErrorCode::kMaxTokensExceeded});
  }
  route.model = model;
  route.upstream_id = entry->upstream->id;  // the runtime tables resolved it at load
  route.upstream = entry->upstream->def;
  return Verdict::go_on();
}

}  // namespace ringgate::pipeline
