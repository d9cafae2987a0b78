// A parsed request enters the pipeline here: the session hands the stages the request and the
// shard's services, answers what a stage decided, and forwards (proxy) what every stage let by.
#include <cstring>
#include <ctime>

#include "engine/admission/gatekeeper.h"
#include "engine/config/config.h"
#include "engine/gateway/client_session.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/shard.h"

namespace ringgate::gateway {

io::Task<void> ClientSession::handle_request() {
  const protocol::HttpRequest& req = parser_.request();
  keep_alive_ = req.keep_alive;
  shard_.counters().requests.add();
  begin_request();
  rq_.http = &req;
  rq_.runtime = shard_.runtime();
  // The body sits inside in_; what follows it in the buffer lets simdjson skip a copy.
  rq_.body_padding =
      req.chunked ? 0 : in_.capacity() - size_t(req.body.data() + req.body.size() - in_.data());
  pipeline::Verdict v = co_await pipeline::run(rq_, shard_.services(), *this);
  if (rq_.admin_ledger_pending) v = co_await await_admin_ledger(v);
  if (!v.goes_on()) co_await out_.answer(v);
}

io::Task<void> ClientSession::forward(pipeline::RequestContext& rq) {
  // Only Anthropic counts Anthropic's way; toward the others the gateway answers with its own.
  if (rq.endpoint == pipeline::Endpoint::kCountTokens &&
      rq.route.upstream->format != providers::ApiFormat::kAnthropic) {
    co_await answer_count_tokens(rq.route);
    co_return;
  }
  if (rq.cache.semantic_pending) {
    const bool answered = co_await await_semantic();
    if (answered) co_return;
  }
  if (rq.cache.lease.following()) {
    const bool answered = co_await follow_flight();  // not inside &&: g++ 12 coroutines
    if (answered) co_return;
  }
  rq.progress.forwarded = true;
  struct OpenStream {  // a guard: a coroutine cut off mid-stream still counts it closed
    ShardCounter* c;
    ~OpenStream() {
      if (c) c->sub();
    }
  } open{rq.route.client_wants_stream ? &shard_.counters().streams_open : nullptr};
  if (open.c) open.c->add();
  co_await proxy(rq.route);
}

void ClientSession::begin_request() {
  rq_.reset();
  rq_.start_ms = now_ms();
  rq_.progress.start_us = now_us();
}

namespace {

uint32_t since_us(uint64_t start_us) {
  return uint32_t(std::min<uint64_t>(now_us() - start_us, UINT32_MAX));
}

telemetry::Outcome outcome_of(const pipeline::RequestContext& rq, bool client_gone) {
  if (client_gone) return telemetry::Outcome::kClientGone;
  if (rq.progress.upstream_failed) return telemetry::Outcome::kUpstreamFailed;
  return rq.progress.forwarded ? telemetry::Outcome::kAnswered : telemetry::Outcome::kLocal;
}

}  // namespace

// Gives back what admission took, corrected to what happened: nothing reached an upstream (a
// refund), an error answer (no tokens were spent, nothing costs), or an answer whose usage is
// not known yet (the estimate and the reservation stay charged until accounting reads usage).
void ClientSession::settle_admission() {
  if (!rq_.ticket.active()) return;
  admission::SettleInput in;
  in.refund = !rq_.progress.forwarded || rq_.progress.upstream_failed;
  if (rq_.progress.status >= 400) in.input_tokens = in.output_tokens = in.cost_micros = 0;
  in.now_ns = now_us() * 1000;
  in.unix_s = int64_t(std::time(nullptr));
  rq_.runtime->gatekeeper()->settle(rq_.ticket, in);
}

// An answer that went out whole or in part may have cost tokens the upstream reports in its body:
// the slot is left now, the rest is charged when the accounting thread has read the usage.
void ClientSession::settle_or_hand_over() {
  const pipeline::RequestContext::Progress& p = rq_.progress;
  if (!rq_.ticket.active() || !p.forwarded || p.upstream_failed || p.status >= 400) {
    settle_admission();
    return;
  }
  record_.charge = admission::Gatekeeper::leave(rq_.ticket);
}

void ClientSession::complete() {
  telemetry::RequestRecord& r = record_;
  r = {};
  settle_or_hand_over();
  rq_.cache.lease.end();  // a leader that never finished fails its flight here
  const pipeline::Route& route = rq_.route;
  r.request_id.assign(rq_.request_id);
  r.client_key.assign(rq_.key_id);
  std::memcpy(r.client_ip, rq_.client.bytes.data(), sizeof r.client_ip);
  r.client_ip_v6 = rq_.client.v6;
  r.auth_failed = rq_.auth_failed;
  r.refused_key_prefix.assign(rq_.presented_key_prefix);
  r.model_requested.assign(route.requested_model);
  if (route.model) r.model_served.assign(route.upstream_model());
  if (route.upstream) r.upstream.assign(route.upstream->name);
  if (route.deployment) {
    r.deployment.assign(route.deployment->def->name);
    r.price = route.deployment->def->price.set ? &route.deployment->def->price
                                               : &route.served_entry->def->price;
  }
  r.attempts = uint8_t(std::min<uint32_t>(rq_.progress.attempts, 255));
  r.possibly_billed = uint8_t(std::min<uint32_t>(rq_.progress.possibly_billed, 255));
  r.status = uint16_t(rq_.progress.status);
  r.outcome = outcome_of(rq_, client_gone_);
  r.bytes_in = rq_.http ? rq_.http->body.size() : 0;
  r.bytes_out = rq_.progress.bytes_out;
  r.relayed_bytes = rq_.progress.relayed_bytes;
  r.relayed_sends = rq_.progress.relayed_sends;
  r.taps_incomplete = rq_.progress.tap_dropped > 0;
  r.upstream_connect_us = rq_.progress.connect_us;
  r.upstream_ttfb_us = rq_.progress.ttfb_us;
  r.total_us = since_us(rq_.progress.start_us);
  count_cache(r);
  r.model = route.model;
  r.tap_request = rq_.progress.tap_request;
  r.tapped = rq_.progress.tapped;
  count_request(r);
  r.runtime = std::move(rq_.runtime);  // the request is over; the record keeps the snapshot
  // A full ring drops and counts; the client never waits. What the dropped record owed stays
  // charged at its estimate: never undercharged.
  if (!shard_.records().push(std::move(r)) && r.charge.active()) {
    admission::SettleInput unknown;
    admission::Gatekeeper::correct(r.charge, unknown);
  }
}

// The cache stage's result into the record, and what the node's scrape counts around the store.
void ClientSession::count_cache(telemetry::RequestRecord& r) {
  using Result = pipeline::RequestContext::CacheStep::Result;
  const pipeline::RequestContext::CacheStep& c = rq_.cache;
  if (c.result == Result::kNone) return;
  r.cache_us = c.us;
  r.cache = c.result == Result::kHit         ? telemetry::CacheResult::kHit
            : c.result == Result::kCoalesced ? telemetry::CacheResult::kCoalesced
            : c.result == Result::kSemantic  ? telemetry::CacheResult::kSemantic
            : c.result == Result::kMiss      ? telemetry::CacheResult::kMiss
                                             : telemetry::CacheResult::kBypass;
  GatewayState::CacheCounters& n = shard_.state().cache_counters;
  n.lookups.fetch_add(1, std::memory_order_relaxed);
  n.lookup_us.fetch_add(c.us, std::memory_order_relaxed);
  if (c.result == Result::kBypass) n.bypasses.fetch_add(1, std::memory_order_relaxed);
  if (c.result == Result::kCoalesced) n.coalesced.fetch_add(1, std::memory_order_relaxed);
}

void ClientSession::count_request(const telemetry::RequestRecord& r) {
  telemetry::RequestSample s;
  s.model = rq_.route.model;
  s.named_model = !rq_.route.requested_model.empty();
  if (rq_.route.upstream) s.upstream = rq_.route.upstream->name;
  s.key_id = rq_.key_id;
  s.status = r.status;
  s.total_us = r.total_us;
  s.ttfb_us = r.upstream_ttfb_us;
  s.tap_drops = rq_.progress.tap_dropped;
  s.refusal = rq_.refusal;
  shard_.metrics().on_request(s);
}

}  // namespace ringgate::gateway
