// The exact cache's fill: a cacheable miss's 2xx answer is copied as the upstream sends it (an
// upstream tap on the relay, before any translation) and, once the relay ended complete, stored
// in the upstream's API as a whole JSON answer: a streamed answer is assembled from its events
// first (providers/stream_assembly.h). A cut, failed or oversized answer is never stored.
#include "cache/exact_cache.h"
#include "cache/semantic_writer.h"
#include "engine/gateway/client_session.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/shard.h"
#include "providers/stream_assembly.h"

namespace ringgate::gateway {

namespace {

// SSE framing and per-delta JSON make a stream a few times larger than the answer it assembles
// to; the copy's bound allows for that, and put() checks the assembled size.
constexpr size_t kStreamOverhead = 4;

bool anthropic_upstream(const Route& route) {
  return route.upstream->format == providers::ApiFormat::kAnthropic;
}

}  // namespace

void ClientSession::open_cache_fill() {
  cache::ExactCache* store = shard_.state().exact_cache;
  const protocol::HttpResponseHead& uh = upstream_parser_.head();
  if (!store || !rq_.cache.store || uh.status < 200 || uh.status >= 300) return;
  // Only a chat completion or a message is kept: the two shapes the replay reads.
  const std::string_view expected =
      anthropic_upstream(rq_.route) ? "/messages" : "/chat/completions";
  if (upstream_endpoint_ != expected) return;
  const size_t limit = size_t(rq_.runtime->config().cache.max_entry_bytes);
  fill_streamed_ = uh.is_event_stream();
  cache_fill_.begin(fill_streamed_ ? limit * kStreamOverhead : limit);
  relay_.add_upstream_tap(cache_fill_);
}

void ClientSession::finish_cache_fill(const pipeline::RelayResult& r) {
  if (!cache_fill_.active()) return;
  GatewayState::CacheCounters& counters = shard_.state().cache_counters;
  const bool too_large = cache_fill_.too_large();
  cache_fill_.close();
  if (too_large) counters.fill_dropped.fetch_add(1, std::memory_order_relaxed);
  // A leader whose client left stores what it read to the end for its followers (004-P14).
  if (too_large || !r.upstream_complete) return;
  const bool anthropic = anthropic_upstream(rq_.route);
  cache::StoredAnswer answer;
  answer.shape =
      anthropic ? cache::StoredShape::kAnthropicMessages : cache::StoredShape::kOpenAiChat;
  if (fill_streamed_) {
    providers::AssembledAnswer a =
        anthropic ? providers::assemble_anthropic_message_stream(cache_fill_.bytes())
                  : providers::assemble_openai_chat_stream(cache_fill_.bytes());
    if (!a.ok) return;  // an unfinished or broken stream is never an answer to replay
    answer.body = std::move(a.body);
  } else {
    answer.body = std::move(cache_fill_.bytes());
  }
  cache_fill_.trim();
  const int64_t now = int64_t(now_ms());
  answer.created_ms = now;
  if (!shard_.state().exact_cache->put(rq_.cache.key, rq_.cache.scope, std::move(answer), now))
    return;
  counters.stores.fetch_add(1, std::memory_order_relaxed);
  // The prompt's vector now points at this answer; the HNSW insert runs on the writer thread.
  if (!rq_.cache.vector.empty() && shard_.state().semantic_writer) {
    shard_.state().semantic_writer->push(
        {rq_.cache.semantic_ns, std::move(rq_.cache.vector), rq_.cache.key, now});
  }
  // Followers replay what was just stored; any other end fails the flight (FlightLease).
  if (rq_.cache.lease.flight && rq_.cache.lease.leader) rq_.cache.lease.flight->finish();
}

}  // namespace ringgate::gateway
