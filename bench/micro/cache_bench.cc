// ResponseStore costs per Responses request: a get of a kept conversation (hit and miss) and a put
// that replaces the oldest entry of a full store (the steady state), with one thread and with two
// contending for its one mutex.
//   ninja -C build bench/micro/cache_bench && build/bench/micro/cache_bench
#include <benchmark/benchmark.h>

#include <string>

#include "cache/response_store.h"

namespace ringgate::cache {
namespace {

constexpr int kEntries = 10000;
const std::string kItems(4096, 'x');  // a few turns of a conversation

std::string id_of(int i) {
  std::string id = "resp_";
  id += std::to_string(i);
  return id;
}

ResponseStore& full_store() {
  static ResponseStore* store = [] {
    ResponseStoreLimits limits;
    limits.max_entries = kEntries;
    auto* s = new ResponseStore(limits);
    for (int i = 0; i < kEntries; ++i) s->put("tenant", id_of(i), kItems, 0);
    return s;
  }();
  return *store;
}

void BM_GetHit(benchmark::State& state) {
  ResponseStore& store = full_store();
  const std::string id = id_of(kEntries / 2);
  for (auto _ : state) benchmark::DoNotOptimize(store.get("tenant", id, 1));
}
BENCHMARK(BM_GetHit)->Threads(1)->Threads(2)->UseRealTime();

void BM_GetOtherTenantMisses(benchmark::State& state) {
  ResponseStore& store = full_store();
  const std::string id = id_of(kEntries / 2);
  for (auto _ : state) benchmark::DoNotOptimize(store.get("other", id, 1));
}
BENCHMARK(BM_GetOtherTenantMisses);

void BM_PutEvictingTheOldest(benchmark::State& state) {
  ResponseStoreLimits limits;
  limits.max_entries = kEntries;
  ResponseStore store(limits);
  int i = 0;
  for (auto _ : state) {
    std::string items = kItems;  // the caller hands over its own copy
    benchmark::DoNotOptimize(store.put("tenant", id_of(i++), std::move(items), 0));
  }
}
BENCHMARK(BM_PutEvictingTheOldest);

}  // namespace
}  // namespace ringgate::cache
BENCHMARK_MAIN();
