// The stages of the request path, in the order pipeline.cc runs them. Each reads what earlier
// stages wrote into the RequestContext, writes its own part, and lets the request go on or
// answers it. These are synchronous: none waits on I/O (admit and cache will once their stores
// are remote; then they become tasks).
#pragma once

#include "engine/pipeline/request_context.h"
#include "engine/pipeline/shard_services.h"
#include "engine/pipeline/verdict.h"

namespace ringgate::cache {
struct StoredAnswer;
}

namespace ringgate::pipeline {

// OPTIONS is answered by the gateway itself, so it is allowed everywhere too.
inline constexpr std::string_view kAllowAll = "Allow: GET, POST, DELETE, HEAD, OPTIONS\r\n";

// A CORS preflight: OPTIONS naming the method the page wants to send.
inline bool is_preflight(const protocol::HttpRequest& req) {
  return req.method == "OPTIONS" && !req.header("access-control-request-method").empty();
}

// Which API a client speaks, which shapes every answer the gateway writes itself: Anthropic on
// its own paths (/v1/messages and below, /v1/complete), OpenAI on OpenAI's (chat completions,
// completions, embeddings, responses); on the paths both serve or neither does (files, models,
// an unknown path), Anthropic when the request carries anthropic-version, which every Anthropic
// SDK and Claude Code send and Anthropic's API requires, else OpenAI. Needs only the head.
protocol::ApiFront client_front(const protocol::HttpRequest& req);

// The endpoint a path after /v1 names ("/chat/completions").
Endpoint classify_endpoint(std::string_view suffix);
// A /v1 path that is not one of the JSON endpoints: its body (files, batches) is capped by
// max_upload_bytes rather than max_body_bytes, and its content type is not checked.
bool is_upload_path(std::string_view path);

// Who is calling, as admission sees it: the key as the three client families send it (OpenAI
// `Authorization: Bearer`, Anthropic `x-api-key`, Azure `api-key`), and the client's address
// (the peer, or what a trusted proxy forwarded). Defined with the admit stage.
std::string_view presented_key(const protocol::HttpRequest& req);
admission::IpAddress client_of(const RequestContext& rq);

// Request id, client API (front), and requests refused outright: a target an upstream could
// resolve to another path, a method that is never forwarded.
Verdict identify(RequestContext& rq, const ShardServices& svc);
// Answers the gateway gives itself: OPTIONS, /healthz, /readyz, /metrics, the configured model
// list.
Verdict local_endpoints(RequestContext& rq, const ShardServices& svc);
// Method per endpoint, content type, the JSON body parsed once.
Verdict validate(RequestContext& rq, const ShardServices& svc);
// Parses the request body again into the shard's parser (rq.view, route.document), for a later
// attempt that reads the document after the request suspended (another request may have parsed
// since). False when it no longer parses, which cannot happen to a body validate accepted.
bool reparse_body(RequestContext& rq, const ShardServices& svc);
// Virtual keys, limits, budgets: the seam for the admission issue (lets everything through).
Verdict admit(RequestContext& rq, const ShardServices& svc);
// Exact cache, then (on an exact miss) the semantic cache: a hit answers by replay.
Verdict cache_lookup(RequestContext& rq, const ShardServices& svc);

// semantic_lookup.cc. On an exact miss: the prompt's text embedded and searched when the
// request's model has the semantic cache (an inline embedder answers here; a remote one leaves
// rq.cache.semantic_pending for the session). Goes on when it does not answer.
Verdict semantic_lookup(RequestContext& rq, const ShardServices& svc, std::string_view model,
                        int64_t now_ms);
// The search with rq.cache.vector, and the replay of the exact entry a match names
// (`x-ringgate-cache: semantic`). Goes on for a miss or a near miss.
Verdict semantic_answer(RequestContext& rq, const ShardServices& svc, int64_t now_ms);
// A miss that goes upstream: joins its single flight (leader or follower) when it may coalesce,
// and says miss unless it follows (the session says what the follower got).
void join_flight_or_miss(RequestContext& rq, const ShardServices& svc);
// A stored answer as this request's local answer, replayed in the client's API and mode, with
// `x-ringgate-cache: <header>`; goes on when it cannot be replayed (then it is a miss).
Verdict answer_from_cache(RequestContext& rq, const cache::StoredAnswer& answer,
                          std::string_view header);
// Model -> upstream, with the model's caps.
Verdict route(RequestContext& rq, const ShardServices& svc);

}  // namespace ringgate::pipeline
