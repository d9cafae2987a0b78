#include "bench/load/load_report.h"

#include <string>

namespace ringgate::bench {
namespace {

double us(uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

double rps(const LoadResult& r) {
  return r.elapsed_s > 0 ? static_cast<double>(r.stats.requests) / r.elapsed_s : 0.0;
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void json_histogram(std::FILE* out, const char* name, const LatencyHistogram& h) {
  std::fprintf(out,
               ",\"%s\":{\"count\":%llu,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,"
               "\"max\":%.1f,\"mean\":%.1f}",
               name, static_cast<unsigned long long>(h.count()), us(h.percentile(50)),
               us(h.percentile(90)), us(h.percentile(99)), us(h.percentile(99.9)), us(h.max()),
               h.mean() / 1000.0);
}

void text_histogram(std::FILE* out, const char* name, const LatencyHistogram& h) {
  std::fprintf(out, "  %-8s p50 %10.1f  p90 %10.1f  p99 %10.1f  p99.9 %10.1f  max %10.1f  (us)\n",
               name, us(h.percentile(50)), us(h.percentile(90)), us(h.percentile(99)),
               us(h.percentile(99.9)), us(h.max()));
}

}  // namespace

void print_text_report(std::FILE* out, const LoadResult& r) {
  const LoadOptions& o = *r.options;
  const LoadStats& s = r.stats;
  std::fprintf(out, "ringgate-load %s\n", o.url.c_str());
  if (o.rate > 0) {
    std::fprintf(
        out,
        "  %d threads, %d connections, open loop at %.0f req/s (latency from intended send time)\n",
        o.threads, o.connections, o.rate);
  } else {
    std::fprintf(out, "  %d threads, %d connections, closed loop\n", o.threads, o.connections);
  }
  std::fprintf(out, "  %llu requests in %.2fs, %.1f req/s, %.2f MB body\n",
               static_cast<unsigned long long>(s.requests), r.elapsed_s, rps(r),
               static_cast<double>(s.body_bytes) / 1e6);
  text_histogram(out, "latency", s.latency);
  if (o.stream) {
    text_histogram(out, "ttfb", s.ttfb);
    text_histogram(out, "gap", s.gap);
    std::fprintf(out, "  %llu events\n", static_cast<unsigned long long>(s.events));
  }
  std::fprintf(out,
               "  errors %llu: connect %llu, read %llu, write %llu, timeout %llu, protocol %llu",
               static_cast<unsigned long long>(s.errors()),
               static_cast<unsigned long long>(s.connect_errors),
               static_cast<unsigned long long>(s.read_errors),
               static_cast<unsigned long long>(s.write_errors),
               static_cast<unsigned long long>(s.timeout_errors),
               static_cast<unsigned long long>(s.protocol_errors));
  for (size_t code = 400; code < s.status_counts.size(); ++code) {
    if (s.status_counts[code] != 0) {
      std::fprintf(out, ", status %zu: %llu", code,
                   static_cast<unsigned long long>(s.status_counts[code]));
    }
  }
  std::fprintf(out, "\n");
  if (s.backlog != 0) {
    std::fprintf(out, "  %llu requests were due but never sent (target slower than --rate)\n",
                 static_cast<unsigned long long>(s.backlog));
  }
  if (s.reconnects != 0) {
    std::fprintf(out, "  %llu reconnects\n", static_cast<unsigned long long>(s.reconnects));
  }
}

void print_json_report(std::FILE* out, const LoadResult& r) {
  const LoadOptions& o = *r.options;
  const LoadStats& s = r.stats;
  std::fprintf(out,
               "{\"url\":%s,\"mode\":\"%s\",\"rate\":%.1f,\"threads\":%d,\"connections\":%d,"
               "\"duration_s\":%.3f,\"requests\":%llu,\"errors\":%llu,\"rps\":%.1f,"
               "\"body_bytes\":%llu,\"backlog\":%llu,\"reconnects\":%llu",
               json_string(o.url).c_str(), o.rate > 0 ? "open" : "closed", o.rate, o.threads,
               o.connections, r.elapsed_s, static_cast<unsigned long long>(s.requests),
               static_cast<unsigned long long>(s.errors()), rps(r),
               static_cast<unsigned long long>(s.body_bytes),
               static_cast<unsigned long long>(s.backlog),
               static_cast<unsigned long long>(s.reconnects));
  std::fprintf(out,
               ",\"errors_by_kind\":{\"connect\":%llu,\"read\":%llu,\"write\":%llu,"
               "\"timeout\":%llu,\"protocol\":%llu,\"status\":{",
               static_cast<unsigned long long>(s.connect_errors),
               static_cast<unsigned long long>(s.read_errors),
               static_cast<unsigned long long>(s.write_errors),
               static_cast<unsigned long long>(s.timeout_errors),
               static_cast<unsigned long long>(s.protocol_errors));
  const char* separator = "";
  for (size_t code = 400; code < s.status_counts.size(); ++code) {
    if (s.status_counts[code] != 0) {
      std::fprintf(out, "%s\"%zu\":%llu", separator, code,
                   static_cast<unsigned long long>(s.status_counts[code]));
      separator = ",";
    }
  }
  std::fprintf(out, "}}");
  json_histogram(out, "latency_us", s.latency);
  if (o.stream) {
    json_histogram(out, "ttfb_us", s.ttfb);
    json_histogram(out, "gap_us", s.gap);
    std::fprintf(out, ",\"events\":%llu", static_cast<unsigned long long>(s.events));
  }
  std::fprintf(out, "}\n");
}

}  // namespace ringgate::bench
