#include "engine/pipeline/pipeline.h"

#include "engine/pipeline/stages.h"

namespace ringgate::pipeline {

io::Task<Verdict> run(RequestContext& rq, const ShardServices& svc, Forwarder& forwarder) {
  Verdict v = identify(rq, svc);                  // request id, front, targets and methods
  if (v.goes_on()) v = local_endpoints(rq, svc);  // OPTIONS /healthz /readyz /v1/models
  if (v.goes_on()) v = validate(rq, svc);         // method, content type, JSON once
  if (v.goes_on()) v = admit(rq, svc);            // keys, limits, budgets
  while (v.goes_on() && rq.fleet_pending) {       // exact mode: Redis decides, the shard
    rq.fleet_pending = false;                     // serves others meanwhile
    co_await forwarder.await_fleet(rq.fleet_wait_until_ms);
    v = admit(rq, svc);
  }
  if (v.goes_on()) v = cache_lookup(rq, svc);       // a hit answers by replay
  if (v.goes_on()) v = route(rq, svc);              // model -> upstream, caps
  if (v.goes_on()) co_await forwarder.forward(rq);  // attempts, relay
  co_return v;
}

}  // namespace ringgate::pipeline
