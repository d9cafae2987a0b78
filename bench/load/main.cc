// ringgate-load: drives an HTTP/1.1 target over keep-alive connections and reports throughput,
// latency percentiles and errors. See `ringgate-load --help`.
#include <algorithm>
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "bench/load/load_options.h"
#include "bench/load/load_report.h"
#include "bench/load/load_worker.h"

namespace rb = ringgate::bench;

namespace {

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream contents;
  contents << in.rdbuf();
  out = contents.str();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  rb::LoadOptions options;
  if (int rc = rb::parse_load_options(argc, argv, options); rc >= 0) return rc;

  rb::TargetUrl url;
  if (std::string error = rb::parse_target_url(options.url, url); !error.empty()) {
    std::fprintf(stderr, "ringgate-load: %s\n", error.c_str());
    return 2;
  }
  rb::TargetAddress address;
  if (std::string error = rb::resolve_target(url, options.allow_remote, address); !error.empty()) {
    std::fprintf(stderr, "ringgate-load: %s\n", error.c_str());
    return 2;
  }
  std::string body = options.data;
  if (!options.body_file.empty() && !read_file(options.body_file, body)) {
    std::fprintf(stderr, "ringgate-load: cannot read body file %s\n", options.body_file.c_str());
    return 2;
  }
  if (options.method.empty()) options.method = body.empty() ? "GET" : "POST";
  const rb::RequestBuilder builder(options.method, url, options.headers, rb::BodyTemplate(body));

  const int threads = options.threads;
  std::vector<std::unique_ptr<rb::LoadWorker>> workers;
  for (int i = 0; i < threads; ++i) {
    rb::WorkerPlan plan;
    plan.index = i;
    plan.threads = threads;
    plan.connections = options.connections / threads + (i < options.connections % threads);
    if (options.requests != 0) {
      plan.request_quota = options.requests / static_cast<uint64_t>(threads) +
                           (static_cast<uint64_t>(i) < options.requests % threads);
      if (plan.request_quota == 0) plan.connections = 0;
    }
    plan.rate = options.rate / threads;
    plan.timeout_ns = uint64_t{options.timeout_ms} * 1'000'000u;
    plan.stream = options.stream;
    plan.head_request = options.method == "HEAD";
    plan.address = &address;
    plan.builder = &builder;
    workers.push_back(std::make_unique<rb::LoadWorker>(plan));
  }

  // Every thread connects first; the clock starts for all of them at once when the last is up.
  std::atomic<int> connected{0};
  std::atomic<bool> failed{false};
  uint64_t start_ns = 0;
  std::barrier ready(threads, [&]() noexcept { start_ns = rb::monotonic_ns(); });
  const uint64_t connect_deadline =
      rb::monotonic_ns() + std::max<uint64_t>(uint64_t{options.timeout_ms}, 2000) * 1'000'000u;
  const auto warmup_ns = static_cast<uint64_t>(options.warmup_s * 1e9);
  const uint64_t duration_ns =
      options.duration_s > 0 ? static_cast<uint64_t>(options.duration_s * 1e9) : 0;

  std::vector<std::thread> pool;
  for (auto& worker : workers) {
    pool.emplace_back([&, w = worker.get()] {
      std::string error = w->init();
      if (!error.empty()) {
        std::fprintf(stderr, "ringgate-load: %s\n", error.c_str());
        failed = true;
      } else {
        connected += w->connect_all(connect_deadline);
      }
      ready.arrive_and_wait();
      if (failed || connected == 0) return;
      const uint64_t measure_start = start_ns + warmup_ns;
      const uint64_t end = duration_ns > 0 ? measure_start + duration_ns : UINT64_MAX;
      w->run(start_ns, measure_start, end);
    });
  }
  for (std::thread& t : pool) t.join();
  if (failed) return 1;

  rb::LoadResult result;
  result.options = &options;
  uint64_t last_completion = 0;
  for (const auto& worker : workers) {
    result.stats.merge(worker->stats());
    last_completion = std::max(last_completion, worker->last_completion_ns());
  }
  if (connected == 0) {
    std::fprintf(stderr, "ringgate-load: could not connect to %s (%llu connect errors)\n",
                 options.url.c_str(), static_cast<unsigned long long>(result.stats.connect_errors));
    return 1;
  }
  const uint64_t measure_start = start_ns + warmup_ns;
  const bool count_bound = options.requests != 0 &&
                           (duration_ns == 0 || last_completion < measure_start + duration_ns) &&
                           result.stats.requests + result.stats.errors() >= options.requests;
  if (count_bound && last_completion > measure_start) {
    result.elapsed_s = static_cast<double>(last_completion - measure_start) / 1e9;
  } else {
    result.elapsed_s = static_cast<double>(duration_ns) / 1e9;
    if (duration_ns == 0 && last_completion > measure_start) {
      result.elapsed_s = static_cast<double>(last_completion - measure_start) / 1e9;
    }
  }
  if (options.json) {
    rb::print_json_report(stdout, result);
  } else {
    rb::print_text_report(stdout, result);
  }
  return 0;
}
