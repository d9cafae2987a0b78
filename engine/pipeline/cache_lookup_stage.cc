// The exact cache's lookup: a generation request the model's policy and the request's headers
// let the cache answer is keyed (cache/canonical_request.h), looked up in the node's store, and
// on a hit answered here by replay in the client's API and mode (providers/cache_replay.h). A
// miss goes on upstream with rq.cache.store set, so the answer's end can keep it (the fill).
#include <chrono>

#include "cache/exact_cache.h"
#include "engine/admission/gatekeeper.h"
#include "engine/pipeline/stages.h"
#include "providers/cache_replay.h"

namespace ringgate::pipeline {

namespace {

using Result = RequestContext::CacheStep::Result;

uint64_t steady_us() {
  return uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
}

// Whose entries this caller may read. A key's own id (or its team's, in team scope); a caller
// without a key shares "anonymous" only where the gateway has no keys at all, else "" (no
// cache): an open anonymous tier next to keys must not pool strangers' answers.
void choose_scope(const RequestContext& rq, std::string& out) {
  const config::CacheConfig& cc = rq.runtime->config().cache;
  const admission::Gatekeeper* gk = rq.runtime->gatekeeper();
  const bool keyed = rq.key_id != admission::kAnonymousKeyId || !rq.tls_subject.empty();
  if (!keyed) {
    if (!gk || gk->mode() == config::AuthMode::kNone) out = "anonymous";
    return;
  }
  if (cc.scope == config::CacheScope::kTeam && !rq.team_id.empty()) {
    out.append("team:").append(rq.team_id);
  } else {
    out.append("key:").append(rq.key_id);
  }
}

Verdict bypass(RequestContext& rq, uint64_t started) {
  rq.cache.result = Result::kBypass;
  rq.cache.us = uint32_t(steady_us() - started);
  rq.response_headers.append("x-ringgate-cache: bypass\r\n");
  return Verdict::go_on();
}

providers::ReplayApi replay_api(cache::StoredShape shape) {
  return shape == cache::StoredShape::kAnthropicMessages ? providers::ReplayApi::kAnthropicMessages
                                                         : providers::ReplayApi::kOpenAiChat;
}

}  // namespace

Verdict answer_from_cache(RequestContext& rq, const cache::StoredAnswer& answer,
                          std::string_view header) {
  const providers::ReplayApi client = rq.endpoint == Endpoint::kMessages
                                          ? providers::ReplayApi::kAnthropicMessages
                                          : providers::ReplayApi::kOpenAiChat;
  providers::ReplayOptions o;
  o.model = rq.requested_model;
  o.include_usage = rq.route.include_usage;
  const bool stream = rq.route.client_wants_stream;
  providers::ReplayResult r =
      stream ? providers::replay_sse(answer.body, replay_api(answer.shape), client, o)
             : providers::replay_json(answer.body, replay_api(answer.shape), client, o);
  if (!r.ok) return Verdict::go_on();  // a stored body of the wrong shape: a miss, not an error
  rq.local_body = std::move(r.body);
  rq.response_headers.append("x-ringgate-cache: ").append(header).append("\r\n");
  return Verdict::local(200, stream ? "text/event-stream" : "application/json", rq.local_body);
}

Verdict cache_lookup(RequestContext& rq, const ShardServices& svc) {
  const config::Config& cfg = rq.runtime->config();
  // Chat completions and messages only: the replay speaks those two APIs (a Responses request
  // is never cached), and only a POST generates.
  if (!svc.exact_cache || !cfg.cache.enabled || rq.http->method != "POST" ||
      (rq.endpoint != Endpoint::kChat && rq.endpoint != Endpoint::kMessages)) {
    return Verdict::go_on();
  }
  const uint64_t started = steady_us();
  choose_scope(rq, rq.cache.scope);
  if (rq.cache.scope.empty()) return bypass(rq, started);
  // The canonical name after alias resolution; in passthrough the client's name, which the key
  // hashes length-prefixed and tagged, so no name can reach another's entries (seed 000-C3).
  const std::string_view model = rq.route.model ? std::string_view(rq.route.model->name)
                                                : std::string_view(rq.requested_model);
  const std::string_view endpoint =
      rq.endpoint == Endpoint::kMessages ? "/v1/messages" : "/v1/chat/completions";
  const std::string_view front =
      rq.front == protocol::ApiFront::kAnthropic ? "anthropic" : "openai";
  const auto key =
      cache::canonical_request_key({rq.cache.scope, front, endpoint, model, rq.http->body});
  if (!key) return bypass(rq, started);
  const cache::CachePolicy policy =
      rq.route.model ? rq.route.model->cache_policy : cfg.cache.policy;
  const cache::CacheDecision d =
      cache::decide_cache(policy, key->temperature,
                          {rq.http->header("x-ringgate-cache"), rq.http->header("cache-control")});
  rq.cache.key = key->key;
  rq.cache.store = d.store;
  if (!d.lookup) return bypass(rq, started);
  const int64_t now_ms = int64_t(started / 1000);
  std::shared_ptr<const cache::StoredAnswer> hit =
      svc.exact_cache->get(key->key, rq.cache.scope, now_ms);
  if (hit) {
    Verdict v = answer_from_cache(rq, *hit, "hit");
    if (!v.goes_on()) {
      rq.cache.result = Result::kHit;
      rq.cache.store = false;
      rq.cache.us = uint32_t(steady_us() - started);
      return v;
    }
  }
  rq.cache.result = Result::kMiss;
  Verdict v = semantic_lookup(rq, svc, model, now_ms);
  rq.cache.us = uint32_t(steady_us() - started);
  if (!v.goes_on() || rq.cache.semantic_pending) return v;  // pending: the session waits
  join_flight_or_miss(rq, svc);
  return Verdict::go_on();
}

void join_flight_or_miss(RequestContext& rq, const ShardServices& svc) {
  // Identical misses in flight share one upstream call: the first leads, the others follow
  // (the session waits for the leader and says coalesced or miss).
  if (svc.flights && rq.runtime->config().cache.coalesce && rq.cache.store) {
    cache::FlightJoin join = svc.flights->join(rq.cache.key);
    rq.cache.lease.flight = std::move(join.flight);
    rq.cache.lease.leader = join.role == cache::FlightRole::kLeader;
  }
  if (!rq.cache.lease.following()) rq.response_headers.append("x-ringgate-cache: miss\r\n");
}

}  // namespace ringgate::pipeline
