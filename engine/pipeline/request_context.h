// Everything one request carries through the pipeline, grouped by the stage that writes it. The
// session owns one per connection and resets it between requests, so strings keep their capacity
// and a warm shard allocates nothing here per request.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "cache/canonical_request.h"
#include "cache/namespaced_index.h"
#include "cache/single_flight.h"
#include "engine/admission/admission_decision.h"
#include "engine/config/runtime.h"
#include "protocol/admin_query.h"
#include "protocol/api_error.h"
#include "protocol/http_request_parser.h"
#include "protocol/json_chat_request.h"

namespace ringgate::pipeline {

// What kind of API call the path names (after /v1).
// kCountTokens: Anthropic's /v1/messages/count_tokens (forwarded to Anthropic-format upstreams,
// answered by the gateway's own count toward OpenAI-format ones).
enum class Endpoint { kChat, kMessages, kCountTokens, kResponses, kModelOnly, kOther };

// Where a request goes once it is validated.
struct Route {
  config::UpstreamId upstream_id = 0;  // the key of the shard's pool, TLS context, authority
  const config::Upstream* upstream = nullptr;
  const config::Model* model = nullptr;  // canonical, resolved at validate; nullptr in pass-through
  const config::RuntimeModel* model_entry = nullptr;
  // The attempt in progress (the forward path sets these for each one): the deployment and the
  // registry entry it serves, the requested model or one of its fallbacks. Null in passthrough.
  const config::RuntimeDeployment* deployment = nullptr;
  const config::RuntimeModel* served_entry = nullptr;
  std::string_view upstream_suffix;  // path after /v1, e.g. "/chat/completions"
  std::string_view requested_model;  // as the client wrote it: a view of the context's copy
  bool client_wants_stream = false;
  bool include_usage = false;
  // The body, parsed once at validate (null when not JSON). A view into the shard's parser: valid
  // only until the next request on this shard parses, so only read before the first suspension.
  simdjson::dom::element document;

  // The model id the upstream gets: the deployment's, or in passthrough the client's.
  std::string_view upstream_model() const {
    if (deployment) return deployment->def->model;
    return model ? std::string_view(model->served_name()) : requested_model;
  }
  // The registry entry whose settings (translation, max_tokens default) apply to the attempt.
  const config::Model* attempt_model() const { return served_entry ? served_entry->def : model; }
};

struct RequestContext {
  // Set by the session before the pipeline runs.
  const protocol::HttpRequest* http = nullptr;
  // The config snapshot this request runs on from start to end, whatever reloads happen.
  std::shared_ptr<const config::Runtime> runtime;
  size_t body_padding = 0;    // readable bytes after the body (simdjson reads ahead)
  admission::IpAddress peer;  // the socket's peer; identify believes forwarding headers per config
  // The connection's verified client certificate subject (mutual TLS), "" without one; into the
  // session, which outlives every request on it.
  std::string_view tls_subject;

  // identify
  std::string request_id;
  // Whole header lines ("X-RateLimit-Remaining: 9\r\n") every response head of this request
  // carries, whoever answers it: CORS (identify) and the caller's rate limits (admit) append,
  // ResponseWriter writes them. Kept between requests.
  std::string response_headers;
  std::string_view cors_allow_origin;  // "" when the request gets no CORS headers
  protocol::ApiFront front = protocol::ApiFront::kOpenAi;
  uint64_t start_ms = 0;

  // validate
  Endpoint endpoint = Endpoint::kOther;
  protocol::ChatRequestView view;  // views into the shard's parser: see Route::document
  // The model the client named, copied out of the parser's document so it outlives the next
  // request parsed on this shard (a translated response and the record read it at the end).
  std::string requested_model;
  // x-ringgate-provider-key where the model allows it (a view of the request), "" otherwise.
  std::string_view client_provider_key;

  // admit
  admission::IpAddress client;  // the socket peer, or what a trusted proxy says it forwarded
  admission::Ticket ticket;     // settled once, at the completion point
  std::string_view key_id = admission::kAnonymousKeyId;  // into the runtime's Gatekeeper
  std::string_view team_id;                              // the key's team; "" without one
  bool auth_failed = false;                              // for the audit line and the counter
  std::string_view presented_key_prefix;  // of a refused key: its first characters at most
  admission::Refusal refusal;             // why admission refused (kind kNone: it did not)
  // The caller is under a gateway limit and its rate-limit headers are in response_headers:
  // the upstream's (the provider key's) stay behind. Without one they reach the client.
  bool gateway_rate_limits = false;
  std::span<const config::ProviderKey> provider_keys;  // the key's own (BYOK), by upstream
  // [cluster] mode = "exact": Redis is asked for this request; the session waits on its shard
  // until the fleet thread wakes it (or this steady-clock ms) and admission runs again.
  bool fleet_pending = false;
  uint64_t fleet_wait_until_ms = 0;

  // A request's part in a single flight (cache/single_flight.h). Ending it releases the request's
  // reference; a leader that ends without having finished fails the flight, so its followers go
  // upstream on their own instead of waiting out their bound. Ends at the latest with the request.
  struct FlightLease {
    std::shared_ptr<cache::Flight> flight;  // null: no flight
    bool leader = false;
    FlightLease() = default;
    FlightLease(const FlightLease&) = delete;
    FlightLease& operator=(const FlightLease&) = delete;
    ~FlightLease() { end(); }
    bool following() const { return flight && !leader; }
    void end() {
      if (!flight) return;
      if (leader) flight->fail();  // ignored once finished
      flight->release();
      flight.reset();
      leader = false;
    }
  };

  // cache_lookup: what the exact cache did, for the fill at the answer's end and the record.
  struct CacheStep {
    enum class Result : uint8_t { kNone, kBypass, kMiss, kHit, kCoalesced, kSemantic };
    Result result = Result::kNone;  // kNone: the cache is off or the request is not a generation
    bool store = false;             // a miss whose complete 2xx answer may be kept
    cache::CacheKey key;
    std::string scope;  // "key:<id>", "team:<id>" or "anonymous"; kept between requests
    uint32_t us = 0;    // spent in the cache (key, lookup, replay), apart from upstream time
    FlightLease lease;  // a miss in a single flight: its leader or a follower
    // The semantic cache (semantic_lookup.cc): the prompt's vector once embedded (empty: none),
    // inserted by the fill under `semantic_ns` when the answer is stored. A remote embedder's
    // text waits in `semantic_text` for the session (semantic_pending), which suspends on it.
    cache::NamespaceKey semantic_ns;
    std::vector<float> vector;
    std::string semantic_text;
    float threshold = 1.0f;
    bool semantic_pending = false;
  } cache;

  // route
  Route route;

  // Scratch for a local answer's body (the model list), kept between requests.
  std::string local_body;
  // GET /admin/requests with a ledger: the query the session runs off the shard (its answer
  // replaces the stage's verdict), pending until then.
  bool admin_ledger_pending = false;
  protocol::AdminQuery admin_query;

  // What happened, for the completion point: written by the session and the forward stage.
  struct Progress {
    uint64_t start_us = 0;
    int status = 0;  // of the response the client got (0: none)
    uint64_t bytes_out = 0;
    uint32_t connect_us = 0, ttfb_us = 0;  // from start_us
    bool forwarded = false, upstream_failed = false;
    // Body bytes and sends that went to the client through the relay (its CountingTap), and
    // how many copies the relay's taps refused (their copy of this request is incomplete).
    uint64_t relayed_bytes = 0;
    uint32_t relayed_sends = 0, tap_dropped = 0;
    uint32_t heartbeats = 0;  // SSE comments sent while the upstream was silent
    // Tries toward upstreams, and of them those written whole and then left unanswered.
    uint32_t attempts = 0, possibly_billed = 0;
    // The upstream body's accounting copy went out under this tag (the shard's TapRing).
    uint64_t tap_request = 0;
    bool tapped = false;
  } progress;

  void reset() {
    http = nullptr;
    runtime.reset();
    body_padding = 0;
    request_id.clear();
    response_headers.clear();
    cors_allow_origin = {};
    front = protocol::ApiFront::kOpenAi;
    start_ms = 0;
    endpoint = Endpoint::kOther;
    view = {};
    requested_model.clear();
    client_provider_key = {};
    provider_keys = {};
    client = {};
    key_id = admission::kAnonymousKeyId;
    team_id = {};
    auth_failed = false;
    presented_key_prefix = {};
    refusal = {};
    fleet_pending = false;
    fleet_wait_until_ms = 0;
    gateway_rate_limits = false;
    cache.result = CacheStep::Result::kNone;
    cache.store = false;
    cache.scope.clear();
    cache.us = 0;
    cache.lease.end();
    cache.vector.clear();
    cache.semantic_text.clear();
    cache.semantic_pending = false;
    route = {};
    local_body.clear();
    admin_ledger_pending = false;
    progress = {};
  }
};

}  // namespace ringgate::pipeline
