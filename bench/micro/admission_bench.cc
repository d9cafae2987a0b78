// Admission costs on the request path: one token-bucket take (alone, and two threads on the same
// bucket, the worst case of a hot key across shards), and a whole Gatekeeper admit + settle for a
// key with several limits, a team and a model limit, and budgets.
//   ninja -C build bench/micro/admission_bench && build/bench/micro/admission_bench
#include <benchmark/benchmark.h>

#include "engine/admission/gatekeeper.h"

namespace ringgate::admission {
namespace {

using config::kMinKeyLength;
using config::sha256;
std::string generate_key() { return config::generate_key().value(); }

constexpr uint64_t kT0 = 20'000 * kDayNs;

// 1e9 per minute refills one token per 60 ns: advancing the clock 60 ns per take never refuses.
// Each thread keeps its own clock (a shared one would add its own cache-line bouncing); the
// bucket's capacity leaves room for the threads' clocks to disagree.
TokenBucket g_bucket(1'000'000'000, kMinuteNs);

void BM_BucketTake(benchmark::State& state) {
  uint64_t refused = 0, now = kT0;
  for (auto _ : state) {
    now += 60 * uint64_t(state.threads());
    refused += !g_bucket.try_take(1, now).ok;
  }
  state.counters["refused"] = double(refused);
}
BENCHMARK(BM_BucketTake)->Threads(1)->Threads(2)->UseRealTime();

struct Setup {
  std::string key = generate_key();
  config::Config config;
  std::shared_ptr<Gatekeeper> gate;

  Setup() {
    config.admission.mode = config::AuthMode::kKeys;
    config::RateLimits big{1'000'000'000,     1'000'000'000,     1'000'000'000, 1'000'000'000'000,
                           1'000'000'000'000, 1'000'000'000'000, 1000};
    config.admission.teams.push_back({"research", big, {1'000'000'000'000, 0, 0}, {}});
    for (int i = 0; i < 100; ++i) {  // a realistic index, not a single entry
      config::VirtualKey k;
      k.id = "key-" + std::to_string(i);
      k.sha256 = sha256(i == 42 ? key : generate_key());
      k.team = "research";
      k.models = {"gpt-4o*", "claude-*"};
      k.limits = big;
      k.budget = {1'000'000'000'000, 1'000'000'000'000, 1'000'000'000'000};
      config.admission.keys.push_back(k);
    }
    config::Model m;
    m.name = "gpt-4o-mini";
    m.price = {150'000, 600'000, 0, 0, true};
    m.limits.rpm = 1'000'000'000;
    m.limits.tpm = 1'000'000'000'000;
    config.models.push_back(m);
    gate = Gatekeeper::build(config, nullptr);
  }
};

void BM_AdmitSettle(benchmark::State& state) {
  static Setup setup;
  AdmitInput in;
  in.key = setup.key;
  in.client = ipv4(203, 0, 113, 7);
  in.model = &setup.config.models[0];
  in.input_tokens = 500;
  in.max_output_tokens = 1000;
  in.unix_s = 1773576000;
  SettleInput out;
  out.input_tokens = 420;
  out.output_tokens = 310;
  out.cost_micros = 250;
  out.unix_s = in.unix_s;
  uint64_t refused = 0, now = kT0;
  for (auto _ : state) {
    in.now_ns = out.now_ns = now += 60 * uint64_t(state.threads());
    Decision d = setup.gate->admit(in);
    refused += !d.ok();
    setup.gate->settle(d.ticket, out);
  }
  state.counters["refused"] = double(refused);
}
BENCHMARK(BM_AdmitSettle)->Threads(1)->Threads(2)->UseRealTime();

void BM_KeyLookup(benchmark::State& state) {
  static Setup setup;
  KeyIndex index{{{sha256(setup.key), 1}}};
  for (auto _ : state) benchmark::DoNotOptimize(index.find(setup.key));
}
BENCHMARK(BM_KeyLookup);

}  // namespace
}  // namespace ringgate::admission

BENCHMARK_MAIN();
