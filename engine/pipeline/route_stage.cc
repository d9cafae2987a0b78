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
  const config::RuntimeModel* entry = route.model_entry;  // validate resolved it (or 404ed)
  route.upstream_id = entry->upstream->id;                // the runtime tables resolved it at load
  route.upstream = entry->upstream->def;
  return Verdict::go_on();
}

}  // namespace ringgate::pipeline
