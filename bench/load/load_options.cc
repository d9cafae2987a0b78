#include "bench/load/load_options.h"

#include <CLI/CLI.hpp>
#include <cstdlib>

namespace ringgate::bench {

bool parse_duration(const std::string& text, double& seconds) {
  if (text.empty()) return false;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !(value >= 0)) return false;
  const std::string unit(end);
  double scale;
  if (unit.empty() || unit == "s") {
    scale = 1;
  } else if (unit == "ms") {
    scale = 1e-3;
  } else if (unit == "m") {
    scale = 60;
  } else if (unit == "h") {
    scale = 3600;
  } else {
    return false;
  }
  seconds = value * scale;
  return true;
}

int parse_load_options(int argc, char** argv, LoadOptions& o) {
  CLI::App app{
      "ringgate-load: io_uring HTTP/1.1 load generator (closed loop, or open loop with "
      "coordinated-omission-corrected latency)",
      "ringgate-load"};
  std::string duration;
  std::string warmup;
  app.add_option("url", o.url, "http://host[:port]/path (loopback only unless --allow-remote)")
      ->required();
  app.add_option("-c,--connections", o.connections, "keep-alive connections (total)")
      ->check(CLI::Range(1, 100000));
  app.add_option("-t,--threads", o.threads, "threads, each with its own io_uring")
      ->check(CLI::Range(1, 256));
  app.add_option("-d,--duration", duration, "measured duration: 10, 10s, 500ms, 2m");
  app.add_option("-n,--requests", o.requests, "stop after this many measured requests");
  app.add_option("--warmup", warmup, "warmup before measuring, excluded from stats");
  app.add_option("-R,--rate", o.rate, "open loop at this many requests/s (all threads)")
      ->check(CLI::PositiveNumber);
  app.add_option("--body", o.body_file,
                 "request body file; {{seq}} and {{rand}} are replaced per request");
  app.add_option("--data", o.data, "inline request body, same placeholders as --body");
  app.add_option("-H,--header", o.headers, "extra header 'Name: value' (repeatable)");
  app.add_option("-m,--method", o.method, "request method (default POST with a body, else GET)");
  app.add_flag("--stream", o.stream,
               "parse SSE responses: time to first byte, inter-event gaps, event counts");
  app.add_flag("--json", o.json, "print one JSON object instead of text");
  app.add_option("--timeout", o.timeout_ms, "per-request timeout in milliseconds")
      ->check(CLI::Range(1u, 3600000u));
  app.add_flag("--allow-remote", o.allow_remote, "allow targets outside loopback");
  try {
    app.parse(argc, argv);
    if (!duration.empty() && !parse_duration(duration, o.duration_s)) {
      throw CLI::ValidationError("--duration", "bad duration '" + duration + "'");
    }
    if (!warmup.empty() && !parse_duration(warmup, o.warmup_s)) {
      throw CLI::ValidationError("--warmup", "bad duration '" + warmup + "'");
    }
    if (!o.body_file.empty() && !o.data.empty()) {
      throw CLI::ValidationError("--body", "give either --body or --data, not both");
    }
    for (const std::string& header : o.headers) {
      const size_t colon = header.find(':');
      if (colon == std::string::npos || colon == 0 ||
          header.find_first_of("\r\n") != std::string::npos) {
        throw CLI::ValidationError("--header", "expected 'Name: value', got '" + header + "'");
      }
    }
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (o.duration_s == 0 && o.requests == 0) o.duration_s = 10;
  if (o.connections < o.threads) o.threads = o.connections;
  return -1;
}

}  // namespace ringgate::bench
