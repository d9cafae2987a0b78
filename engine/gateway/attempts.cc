// The attempt loop of the forward path: which deployment gets the request next, and what one
// attempt's outcome means for the next one, for the breakers and for the key pools.
//
// Moving on to another candidate happens only before the client got a byte: on a connection that
// failed before the request was written whole, and on an upstream 408, 429 or 5xx head (that
// connection is dropped, never relayed). Other 4xx are the client's (seed-defect: 002-3). A
// request written whole and then left unanswered is never resent to that deployment; the model's
// on_timeout says whether the next is tried.
#include <algorithm>
#include <cstdio>
#include <ctime>

#include "engine/gateway/attempt.h"
#include "engine/gateway/client_session.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/shard.h"
#include "engine/gateway/upstream_body_reader.h"
#include "engine/io/sleep.h"
#include "engine/pipeline/stages.h"
#include "engine/upstream/retry_policy.h"
#include "protocol/error_body.h"

namespace ringgate::gateway {

namespace {

constexpr uint32_t kMaxTriesPerDeployment = 2;  // a second only on a 429 with another key ready
constexpr uint32_t kBackoffBaseMs = 50, kBackoffCapMs = 2000;
constexpr uint32_t kSlotPollMs = 5;  // re-check for a freed max_concurrent slot

enum class Verdict { kRelay, kSameAgain, kNext, kFail };

uint64_t random_bits() {
  thread_local uint64_t s = now_us() * 0x9E3779B97F4A7C15ull | 1;
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

}  // namespace

// The caller's own key for an attempt toward `upstream`: the one sent with the request, else the
// virtual key's provider_keys entry for that upstream; "" when neither (the pool's key then).
std::string_view ClientSession::caller_provider_key(std::string_view upstream) const {
  if (!rq_.client_provider_key.empty()) return rq_.client_provider_key;
  for (const config::ProviderKey& k : rq_.provider_keys) {
    if (k.upstream == upstream) return k.secret;
  }
  return {};
}

bool ClientSession::begin_attempt(const Candidate& c, bool sole, Attempt& a) {
  a.candidate = c;
  if (!c.deployment) {  // passthrough: the route stage's upstream, no routing state
    a.byok_key = caller_provider_key(rq_.route.upstream->name);
    return true;
  }
  a.byok_key = caller_provider_key(c.deployment->upstream->def->name);
  const uint64_t now = now_ms();
  DeploymentState& st = shard_.deployments().state(*c.deployment);
  a.permit = st.breaker.admit(now);
  if (a.permit.kind == upstream::Permit::kRefused && !sole) {
    ++st.skipped_open;
    return false;
  }
  // The caller's own key needs none of the pool's.
  std::optional<size_t> key = a.byok_key.empty() ? st.keys.pick(now) : std::optional<size_t>(0);
  if (!key && !sole) {  // every key cooling down or refused
    st.breaker.abandon(a.permit, now);
    return false;
  }
  admission::ConcurrencyLimit* slot = nullptr;
  if (const DeploymentSlots* slots = rq_.runtime->deployment_slots()) {
    slot = slots->limit(c.deployment->id);
  }
  if (slot && !slot->try_enter()) {
    st.breaker.abandon(a.permit, now);
    return false;
  }
  a.slot = slot;
  if (const managed::ManagedFleet* fleet = rq_.runtime->managed_fleet()) {
    a.managed = fleet->process(c.deployment->id);
    if (a.managed) a.managed->begin_request();
  }
  a.state = &st;
  a.key = key.value_or(0);
  st.load.on_start();
  a.started = true;
  ++st.attempts;
  st.publish(now);
  Route& route = rq_.route;
  route.deployment = c.deployment;
  route.served_entry = c.model;
  route.upstream = c.deployment->upstream->def;
  route.upstream_id = c.deployment->upstream->id;
  return true;
}

std::string_view ClientSession::attempt_key(const Attempt& a) const {
  if (!a.byok_key.empty()) return a.byok_key;
  if (!a.candidate.deployment) return rq_.route.upstream->api_key;
  return a.candidate.deployment->keys[a.key];
}

// What one attempt's head (or failure) means. Feeds the breaker and the key pool.
static Verdict judge(const HeadResult& res, const protocol::HttpResponseHead& h, bool more,
                     bool same_possible, const config::RuntimeModel* model) {
  if (res.fail_status) {
    if (res.pool_full || !res.written) return more ? Verdict::kNext : Verdict::kFail;
    const bool next = !model || model->def->on_timeout == config::OnTimeout::kNext;
    return more && next ? Verdict::kNext : Verdict::kFail;
  }
  if (!upstream::retryable_status(h.status)) return Verdict::kRelay;
  if (h.status == 429 && same_possible) return Verdict::kSameAgain;
  return more ? Verdict::kNext : Verdict::kRelay;
}

void ClientSession::settle_attempt(Attempt& a, const HeadResult& res) {
  DeploymentState* st = a.state;
  if (!st) return;
  const uint64_t now = now_ms();
  struct Publish {  // whichever way the attempt went
    DeploymentState* st;
    uint64_t now;
    ~Publish() { st->publish(now); }
  } publish{st, now};
  if (res.fail_status) {
    if (res.pool_full || res.client_gone) {
      st->breaker.abandon(a.permit, now);
    } else {
      ++st->failures;
      st->breaker.record(a.permit, false, now);
    }
    return;
  }
  const protocol::HttpResponseHead& h = upstream_parser_.head();
  st->load.on_ttfb(double(rq_.progress.ttfb_us) / 1000.0);
  if (!a.byok_key.empty() && (h.status == 401 || h.status == 403 || h.status == 429)) {
    // The caller's key, not the deployment's: its pool and breaker stay as they were.
    st->breaker.abandon(a.permit, now);
    return;
  }
  if (h.status == 429) {
    // Rate limiting says nothing of the deployment's health: the key cools down instead.
    st->breaker.abandon(a.permit, now);
    st->keys.rate_limited(
        a.key, now,
        upstream::parse_retry_after_ms(h.header("retry-after"), h.header("retry-after-ms"),
                                       int64_t(std::time(nullptr))));
    return;
  }
  const bool failed = h.status == 408 || h.status >= 500;
  if (failed) ++st->failures;
  st->breaker.record(a.permit, !failed, now);
  if (h.status == 401 || h.status == 403) {
    if (!st->keys.removed(a.key)) {
      // The key's index, never the key.
      std::fprintf(stderr,
                   "ringgate: deployment %s: provider key %zu refused (HTTP %d), taken out of "
                   "rotation\n",
                   a.candidate.deployment->def->name.c_str(), a.key, h.status);
    }
    st->keys.auth_failed(a.key);
  } else if (!failed && a.byok_key.empty()) {
    st->keys.succeeded(a.key);
  }
}

// An upstream 401/403 to the caller's own key: said so, without the key and without the
// provider's body (which may echo part of it).
bool ClientSession::byok_refused(const Attempt& a, const HeadResult& res) const {
  if (a.byok_key.empty() || res.fail_status) return false;
  const int status = upstream_parser_.head().status;
  return status == 401 || status == 403;
}

// x-ringgate-model, -deployment and -attempts on the answer, whichever it is.
void ClientSession::add_routing_headers(const Attempt& a, uint32_t attempts) {
  if (!rq_.route.model_entry) return;  // passthrough: no registry
  if (a.candidate.deployment) {
    append_header(rq_.response_headers, "x-ringgate-model", a.candidate.model->def->name);
    append_header(rq_.response_headers, "x-ringgate-deployment", a.candidate.deployment->def->name);
  }
  append_header(rq_.response_headers, "x-ringgate-attempts", std::to_string(attempts));
}

// How long a request may wait for a max_concurrent slot of the model's deployments: the longest
// queue_timeout_ms of their upstreams (0 when any of them has queue_depth 0: no queue there).
static uint32_t slot_wait_ms(const config::RuntimeModel& m) {
  uint32_t ms = 0;
  for (const config::RuntimeDeployment* d : m.deployments) {
    const config::Upstream& u = *d->upstream->def;
    if (u.queue_depth == 0) return 0;
    ms = std::max(ms, u.queue_timeout_ms);
  }
  return ms;
}

// Plans the attempts; when nothing can take the request only because every deployment left is
// at max_concurrent, waits for a slot (bounded by slot_wait_ms and the request's total_ms). Slots
// are node-wide and free on any shard, so the wait re-plans on a short ring timeout tick rather
// than blocking the shard.
io::Task<void> ClientSession::plan_or_wait(uint64_t total_deadline) {
  AttemptPlan& plan = attempt_plan_;
  const config::RuntimeModel& model = *rq_.route.model_entry;
  const NodeDeployments node{rq_.runtime->deployment_slots(), rq_.runtime->deployment_health(),
                             rq_.runtime->managed_fleet()};
  uint64_t wait_until = 0;
  for (;;) {
    const uint64_t now = now_ms();
    plan_attempts(model, shard_.deployments(), node, now, plan);
    if (!plan.candidates.empty() || plan.full == 0 || client_gone_) co_return;
    if (wait_until == 0) wait_until = std::min(now + slot_wait_ms(model), total_deadline);
    if (now >= wait_until) co_return;
    co_await io::Sleep(shard_.ring(), uint32_t(std::min<uint64_t>(kSlotPollMs, wait_until - now)));
  }
}

io::Task<bool> ClientSession::run_attempts(AttemptRun& run, uint64_t total_deadline) {
  Route& route = rq_.route;
  AttemptPlan& plan = attempt_plan_;
  if (route.model_entry) {
    if (!co_await wait_for_managed(total_deadline)) co_return false;
    co_await plan_or_wait(total_deadline);
  } else {
    plan.candidates.assign(1, Candidate{});
    plan.left_out = 0;
    plan.full = 0;
    plan.soonest_retry_ms = 0;
  }
  const bool sole = plan.candidates.size() == 1 && plan.left_out == 0;
  const size_t headers_mark = rq_.response_headers.size();
  run.ubuf = shard_.read_buffers().take();
  HeadResult res;
  uint32_t same_tries = 0;
  for (size_t i = 0; i < plan.candidates.size();) {
    Attempt& a = run.attempt;
    a.reset();
    if (!begin_attempt(plan.candidates[i], sole, a)) {
      ++i;
      same_tries = 0;
      continue;
    }
    rq_.response_headers.resize(headers_mark);
    // The document the first attempt read is the shard parser's, which other requests may have
    // reused while this one waited on its upstream.
    if (run.attempts > 0 && rq_.endpoint != pipeline::Endpoint::kOther &&
        !pipeline::reparse_body(rq_, shard_.services())) {
      route.document = {};
    }
    if (!co_await prepare_upstream_request(route, attempt_key(a))) {
      if (a.state) a.state->breaker.abandon(a.permit, now_ms());
      shard_.read_buffers().give(std::move(run.ubuf));
      co_return false;
    }
    ++run.attempts;
    ++rq_.progress.attempts;
    ++same_tries;
    const config::Timeouts& t = rq_.runtime->config().timeouts;
    const config::Deployment* d = a.candidate.deployment ? a.candidate.deployment->def : nullptr;
    res =
        co_await exchange_head(route, run.ubuf, run.conn, d ? d->connect_ms : t.upstream_connect_ms,
                               d ? d->ttfb_ms : t.upstream_ttfb_ms);
    settle_attempt(a, res);
    if (res.client_gone) break;
    if (res.fail_status && res.written) {
      ++run.possibly_billed;
      ++rq_.progress.possibly_billed;
    }
    const bool time_left = now_ms() + 1 < total_deadline;
    const bool more = time_left && i + 1 < plan.candidates.size();
    const bool same_possible = time_left && a.state && same_tries < kMaxTriesPerDeployment &&
                               a.state->keys.usable(now_ms()) > 0;
    const Verdict v = judge(res, upstream_parser_.head(), more, same_possible, a.candidate.model);
    if (byok_refused(a, res)) {
      co_await answer_byok_refused(run);
      co_return false;
    }
    if (v == Verdict::kRelay) {
      add_routing_headers(a, run.attempts);
      co_return true;
    }
    if (v == Verdict::kFail) break;
    // Moving on: a head not relayed leaves with its connection.
    upstream_fd_ = -1;
    if (run.conn) shard_.pool(route.upstream_id).discard(std::move(run.conn));
    shard_.counters().upstream_retries.add();
    if (v == Verdict::kSameAgain) {
      const uint32_t wait = uint32_t(std::min<uint64_t>(
          upstream::backoff_ms(same_tries - 1, kBackoffBaseMs, kBackoffCapMs, random_bits()),
          remaining_ms(total_deadline)));
      if (wait) co_await io::Sleep(shard_.ring(), wait);
      if (client_gone_) break;
      continue;
    }
    ++i;
    same_tries = 0;
  }
  co_await answer_no_attempt(run, res, plan);
  co_return false;
}

io::Task<void> ClientSession::answer_byok_refused(AttemptRun& run) {
  const int status = upstream_parser_.head().status;
  upstream_fd_ = -1;
  if (run.conn) shard_.pool(rq_.route.upstream_id).discard(std::move(run.conn));
  shard_.read_buffers().give(std::move(run.ubuf));
  add_routing_headers(run.attempt, run.attempts);
  run.attempt.release();
  rq_.progress.upstream_failed = true;
  const bool sent = !rq_.client_provider_key.empty();
  co_await out_.respond_error(
      {status,
       sent ? "the provider rejected the key sent in x-ringgate-provider-key (HTTP " +
                  std::to_string(status) + ")"
            : "the provider rejected the key supplied by this virtual key (byok; HTTP " +
                  std::to_string(status) + "): its provider_keys entry needs a new sealed key",
       protocol::ErrorCode::kUpstreamError});
}

// Every candidate failed (the last one's failure is answered) or none could be tried.
io::Task<void> ClientSession::answer_no_attempt(AttemptRun& run, const HeadResult& res,
                                                const AttemptPlan& plan) {
  upstream_fd_ = -1;
  if (run.conn) shard_.pool(rq_.route.upstream_id).discard(std::move(run.conn));
  shard_.read_buffers().give(std::move(run.ubuf));
  ShardCounters& counters = shard_.counters();
  if (client_gone_) {
    counters.client_disconnects.add();
    co_return;
  }
  add_routing_headers(run.attempt, run.attempts);
  run.attempt.release();
  counters.upstream_errors.add();
  rq_.progress.upstream_failed = true;
  if (run.attempts == 0) {
    // Breakers open, keys cooling, or every deployment at max_concurrent: 503 with the soonest
    // moment a probe may go.
    const uint64_t now = now_ms();
    const uint64_t at = plan.soonest_retry_ms > now ? plan.soonest_retry_ms : now + 1000;
    retry_after_line_ = "Retry-After: " + std::to_string((at - now + 999) / 1000) + "\r\n";
    out_.add_once(retry_after_line_);
    co_await out_.respond_error({503,
                                 "no deployment of model " + rq_.route.model->name +
                                     " can take the request now (circuit open, keys cooling "
                                     "down or at max_concurrent)",
                                 protocol::ErrorCode::kUpstreamUnavailable});
    co_return;
  }
  if (res.fail_status == 504) counters.timeouts.add();
  std::string msg = res.fail_message ? res.fail_message : "upstream failed";
  if (!res.fail_detail.empty()) msg += ": " + res.fail_detail;
  co_await out_.respond_error({res.fail_status ? res.fail_status : 502, msg,
                               res.fail_status == 504 ? protocol::ErrorCode::kUpstreamTimeout
                                                      : protocol::ErrorCode::kUpstreamUnavailable});
}

}  // namespace ringgate::gateway
