// The semantic cache's lookup, after an exact miss: the prompt's text (cache/semantic_prompt.h:
// every turn with its role; tools and images skip) is embedded and searched in the namespace of
// the caller's tenant scope, the canonical model and the embedder, against the threshold of that
// model (seed-defects 000-C3, 000-M4). A match names an exact cache entry, replayed like a hit.
// An inline (local) embedder runs here on the shard in microseconds; a remote one is left to
// the session, which suspends on it without blocking the shard (000-H3).
#include "cache/embedder.h"
#include "cache/exact_cache.h"
#include "cache/semantic_cache.h"
#include "cache/semantic_prompt.h"
#include "engine/pipeline/stages.h"

namespace ringgate::pipeline {

namespace {

// Longer prompts are not embedded (a miss): their cost grows with the text, their chance of a
// near-identical repeat does not.
constexpr size_t kMaxPromptBytes = 32 * 1024;

bool any_feature(std::span<const float> v) {
  for (float x : v) {
    if (x != 0.0f) return true;
  }
  return false;
}

}  // namespace

Verdict semantic_lookup(RequestContext& rq, const ShardServices& svc, std::string_view model,
                        int64_t now_ms) {
  const config::SemanticCacheConfig& sc = rq.runtime->config().cache.semantic;
  if (!svc.semantic || !svc.embedder || !sc.enabled) return Verdict::go_on();
  std::optional<std::string> text = cache::semantic_prompt_text(rq.http->body, kMaxPromptBytes);
  if (!text) return Verdict::go_on();
  cache::NamespaceKey& ns = rq.cache.semantic_ns;
  ns.tenant.assign(rq.cache.scope);
  ns.model.assign(model);
  ns.embedder.assign(svc.embedder->name());
  rq.cache.threshold = float(sc.threshold_for(model));
  if (!svc.embedder->inline_embedder()) {
    rq.cache.semantic_text = std::move(*text);
    rq.cache.semantic_pending = true;
    return Verdict::go_on();
  }
  rq.cache.vector.resize(svc.embedder->dim());
  if (!svc.embedder->embed_now(*text, rq.cache.vector) || !any_feature(rq.cache.vector)) {
    rq.cache.vector.clear();
    return Verdict::go_on();
  }
  return semantic_answer(rq, svc, now_ms);
}

Verdict semantic_answer(RequestContext& rq, const ShardServices& svc, int64_t now_ms) {
  if (rq.cache.vector.size() != svc.semantic->dim()) return Verdict::go_on();
  const std::optional<cache::SemanticHit> match =
      svc.semantic->lookup(rq.cache.semantic_ns, rq.cache.vector, rq.cache.threshold, now_ms);
  if (!match) return Verdict::go_on();
  // The entry is read under the caller's own scope again: a match never reaches another's.
  std::shared_ptr<const cache::StoredAnswer> answer =
      svc.exact_cache->get(match->answer_key, rq.cache.scope, now_ms);
  if (!answer) return Verdict::go_on();  // evicted or expired since: a miss
  Verdict v = answer_from_cache(rq, *answer, "semantic");
  if (!v.goes_on()) {
    rq.cache.result = RequestContext::CacheStep::Result::kSemantic;
    rq.cache.store = false;
    rq.cache.vector.clear();
  }
  return v;
}

}  // namespace ringgate::pipeline
