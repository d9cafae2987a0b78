#include "engine/pipeline/pipeline.h"

#include <chrono>

#include "engine/pipeline/admin_keys_write.h"
#include "engine/pipeline/stages.h"

namespace ringgate::pipeline {

namespace {

uint64_t steady_ms() {
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
}

// POST/DELETE /admin/keys, parked until the key store's thread answers (or the deadline).
io::Task<Verdict> key_change_answer(RequestContext& rq, Forwarder& forwarder) {
  while (!rq.key_change->done() && steady_ms() < rq.key_change_until_ms) {
    co_await forwarder.await_fleet(rq.key_change_until_ms);
  }
  co_return admin_keys_written(rq);
}

}  // namespace

io::Task<Verdict> run(RequestContext& rq, const ShardServices& svc, Forwarder& forwarder) {
  Verdict v = identify(rq, svc);                  // request id, front, targets and methods
  if (v.goes_on()) v = local_endpoints(rq, svc);  // OPTIONS /healthz /readyz /v1/models
  // A key change the admin API handed to the key store: its thread answers.
  if (rq.key_change) v = co_await key_change_answer(rq, forwarder);
  if (v.goes_on()) v = validate(rq, svc);    // method, content type, JSON once
  if (v.goes_on()) v = admit(rq, svc);       // keys, limits, budgets
  while (v.goes_on() && rq.fleet_pending) {  // exact mode: Redis decides, the shard
    rq.fleet_pending = false;                // serves others meanwhile
    co_await forwarder.await_fleet(rq.fleet_wait_until_ms);
    v = admit(rq, svc);
  }
  if (v.goes_on()) v = cache_lookup(rq, svc);       // a hit answers by replay
  if (v.goes_on()) v = route(rq, svc);              // model -> upstream, caps
  if (v.goes_on()) co_await forwarder.forward(rq);  // attempts, relay
  co_return v;
}

}  // namespace ringgate::pipeline
