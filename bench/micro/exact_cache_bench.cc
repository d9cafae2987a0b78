// The exact cache's costs per request: the key of a chat body (parse + canonical SHA-256), a
// store hit (one and two threads on the sharded locks) and a replay of the answer as SSE.
//   ninja -C build bench/micro/exact_cache_bench && build/bench/micro/exact_cache_bench
#include <benchmark/benchmark.h>

#include <string>

#include "cache/canonical_request.h"
#include "cache/exact_cache.h"
#include "providers/cache_replay.h"

namespace ringgate::cache {
namespace {

std::string chat_body(size_t content_bytes) {
  return R"({"model":"gpt-4o","temperature":0,"max_tokens":256,"messages":[{"role":"system",)"
         R"("content":"You are terse."},{"role":"user","content":")" +
         std::string(content_bytes, 'x') + R"("}],"stream":true})";
}

void BM_CanonicalKey(benchmark::State& state) {
  const std::string body = chat_body(static_cast<size_t>(state.range(0)));
  const CanonicalRequest request{"team", "openai", "/v1/chat/completions", "gpt-4o", body};
  for (auto _ : state) benchmark::DoNotOptimize(canonical_request_key(request));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_CanonicalKey)->Arg(256)->Arg(4096)->Arg(65536);

ExactCache& full_cache() {
  static ExactCache* cache = [] {
    auto* c = new ExactCache(ExactCacheLimits{});
    for (uint32_t i = 0; i < 10000; ++i) {
      CacheKey key;
      for (int b = 0; b < 4; ++b) key.bytes[b] = key.bytes[28 + b] = uint8_t(i >> (8 * b));
      c->put(key, "team", StoredAnswer{.body = std::string(2048, 'y')}, 0);
    }
    return c;
  }();
  return *cache;
}

void BM_StoreHit(benchmark::State& state) {
  ExactCache& cache = full_cache();
  uint32_t i = static_cast<uint32_t>(state.thread_index()) * 4999;
  for (auto _ : state) {
    CacheKey key;
    const uint32_t n = i++ % 10000;
    for (int b = 0; b < 4; ++b) key.bytes[b] = key.bytes[28 + b] = uint8_t(n >> (8 * b));
    benchmark::DoNotOptimize(cache.get(key, "team", 1));
  }
}
BENCHMARK(BM_StoreHit)->Threads(1)->Threads(2);

void BM_ReplaySse(benchmark::State& state) {
  const std::string stored = R"({"id":"c","model":"m","choices":[{"index":0,"message":{)"
                             R"("role":"assistant","content":")" +
                             std::string(2048, 'z') +
                             R"("},"finish_reason":"stop"}],"usage":{"prompt_tokens":5}})";
  providers::ReplayOptions options;
  options.created = 1;
  options.include_usage = true;
  const auto api = static_cast<providers::ReplayApi>(state.range(0));
  for (auto _ : state)
    benchmark::DoNotOptimize(
        providers::replay_sse(stored, providers::ReplayApi::kOpenAiChat, api, options));
}
BENCHMARK(BM_ReplaySse)->Arg(0)->Arg(1);  // 0: OpenAI chunks, 1: Anthropic events (translated)

}  // namespace
}  // namespace ringgate::cache
BENCHMARK_MAIN();
