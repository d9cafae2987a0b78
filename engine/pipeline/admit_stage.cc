#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <span>

#include "engine/admission/admission_error.h"
#include "engine/admission/client_address.h"
#include "engine/admission/gatekeeper.h"
#include "engine/pipeline/rate_limit_headers.h"
#include "engine/pipeline/stages.h"
#include "protocol/http_header.h"

namespace ringgate::pipeline {

namespace {

// Every value of a header that may be repeated, in order, without allocating.
template <size_t N>
std::span<const std::string_view> all_values(const protocol::HttpRequest& req,
                                             std::string_view name,
                                             std::array<std::string_view, N>& out) {
  size_t n = 0;
  for (const protocol::HttpHeader& h : req.headers) {
    if (n < N && protocol::ascii_iequals(h.name, name)) out[n++] = h.value;
  }
  return {out.data(), n};
}

// The cheap upper bound: every BPE token covers at least one byte of the text and JSON only
// adds bytes, so the body's length bounds the prompt's tokens; the completion point corrects it.
uint64_t max_output_tokens(const RequestContext& rq) {
  if (rq.view.max_tokens && *rq.view.max_tokens > 0) return uint64_t(*rq.view.max_tokens);
  return rq.route.model ? uint64_t(rq.route.model->default_max_tokens) : 0;
}

}  // namespace

std::string_view presented_key(const protocol::HttpRequest& req) {
  std::string_view auth = req.header("authorization");
  if (auth.size() > 7 && protocol::ascii_iequals(auth.substr(0, 7), "bearer ")) {
    auth.remove_prefix(7);
    while (!auth.empty() && auth.front() == ' ') auth.remove_prefix(1);
    return auth;
  }
  if (std::string_view k = req.header("x-api-key"); !k.empty()) return k;
  return req.header("api-key");
}

admission::IpAddress client_of(const RequestContext& rq) {
  const auto& trusted = rq.runtime->config().admission.trusted_proxies;
  if (trusted.empty()) return rq.peer;  // seed-defect: 002-1 — headers only from trusted peers
  std::array<std::string_view, 8> fwd, xff;
  return admission::client_address(rq.peer, all_values(*rq.http, "forwarded", fwd),
                                   all_values(*rq.http, "x-forwarded-for", xff), trusted);
}

namespace {

uint64_t steady_ms() {
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
}

// An exact-mode wait is bounded by [cluster] timeout_ms from the first ask.
bool exact_wait_over(RequestContext& rq) {
  const uint64_t now = steady_ms();
  if (!rq.fleet_wait_until_ms)
    rq.fleet_wait_until_ms = now + uint64_t(rq.runtime->config().cluster.timeout_ms);
  return now >= rq.fleet_wait_until_ms;
}

}  // namespace

Verdict admit(RequestContext& rq, const ShardServices&) {
  const admission::Gatekeeper* gk = rq.runtime->gatekeeper();
  if (!gk) return Verdict::go_on();
  rq.client = client_of(rq);
  admission::AdmitInput in;
  in.key = presented_key(*rq.http);
  in.tls_subject = rq.tls_subject;
  in.client = rq.client;
  in.model = rq.route.model;
  // Routing may end on a dearer deployment or fallback than the model's own price says.
  if (rq.route.model_entry && rq.route.model_entry->reserve_price.set) {
    in.price = &rq.route.model_entry->reserve_price;
  }
  // Pass-through has no model table: a request that names a model is matched by that name, and
  // only one that names none (files, batches) is a path with no model.
  if (rq.endpoint != Endpoint::kOther) in.model_name = rq.requested_model;
  // A token count generates nothing and is not billed: it takes a request, never tokens.
  const bool count_only = rq.endpoint == Endpoint::kCountTokens;
  in.input_tokens = count_only ? 0 : rq.http->body.size();
  in.max_output_tokens = count_only ? 0 : max_output_tokens(rq);
  in.now_ns = rq.progress.start_us * 1000;
  in.unix_s = int64_t(std::time(nullptr));
  admission::Decision d = gk->admit(in);
  if (d.refusal.kind == admission::RefusalKind::kFleetPending && !exact_wait_over(rq)) {
    rq.fleet_pending = true;  // the session waits for the fleet thread, then admits again
    return Verdict::go_on();
  }
  if (d.refusal.kind == admission::RefusalKind::kFleetPending &&
      rq.runtime->config().cluster.on_redis_down == config::RedisDownPolicy::kLocal) {
    in.skip_exact_fleet = true;  // timed out: the node's own limits decide
    d = gk->admit(in);
  }
  rq.key_id = d.key_id;
  rq.team_id = d.team_id;
  rq.provider_keys = d.provider_keys;
  append_rate_limit_headers(rq.response_headers, d.headers, rq.front, in.unix_s);
  rq.gateway_rate_limits = d.headers.requests.present || d.headers.tokens.present;
  if (d.ok()) {
    rq.ticket = std::move(d.ticket);
    return Verdict::go_on();
  }
  const admission::RefusalKind kind = d.refusal.kind;
  rq.refusal = d.refusal;
  if (kind == admission::RefusalKind::kMissingKey || kind == admission::RefusalKind::kInvalidKey) {
    rq.auth_failed = true;
    // A quarter of the key at most, and never more than six characters of it.
    rq.presented_key_prefix = in.key.substr(0, std::min<size_t>(6, in.key.size() / 4));
  }
  if (d.refusal.retry_after_ms > 0)
    append_retry_after(rq.response_headers, d.refusal.retry_after_ms);
  return Verdict::error(admission::to_api_error(d.refusal, rq.requested_model));
}

}  // namespace ringgate::pipeline
