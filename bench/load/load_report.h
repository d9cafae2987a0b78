#pragma once

#include <cstdio>

#include "bench/load/load_options.h"
#include "bench/load/load_stats.h"

namespace ringgate::bench {

struct LoadResult {
  const LoadOptions* options = nullptr;
  LoadStats stats;
  double elapsed_s = 0;  // measured window
};

// wrk-like human-readable summary.
void print_text_report(std::FILE* out, const LoadResult& result);
// One JSON object: requests, errors, rps, latency_us{p50,p90,p99,p999,max,mean} and, with
// --stream, ttfb_us and gap_us with the same keys and an event count.
void print_json_report(std::FILE* out, const LoadResult& result);

}  // namespace ringgate::bench
