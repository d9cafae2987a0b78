// The request path, in order: the one place that says which stage runs when.
#pragma once

#include "engine/io/task.h"
#include "engine/pipeline/request_context.h"
#include "engine/pipeline/shard_services.h"
#include "engine/pipeline/verdict.h"

namespace ringgate::pipeline {

// The last stage: sends the request upstream and relays the answer (the session implements it,
// since it owns the client connection the answer goes to).
class Forwarder {
 public:
  virtual io::Task<void> forward(RequestContext& rq) = 0;
  // Suspends until the fleet thread (or the key store) wakes this shard or `until_ms` (steady
  // clock) passes.
  virtual io::Task<void> await_fleet(uint64_t until_ms) = 0;

 protected:
  ~Forwarder() = default;
};

// Runs the stages until one answers; a request every stage lets through is forwarded. Returns
// the verdict the session answers with (go_on once the forwarder has answered).
io::Task<Verdict> run(RequestContext& rq, const ShardServices& svc, Forwarder& forwarder);

}  // namespace ringgate::pipeline
