// The Prometheus text exposition format, version 0.0.4: HELP and TYPE lines, samples with
// labels, histograms from per-bucket counts. Pure: it appends to a string and knows nothing of
// where the numbers come from. Label values are escaped here (backslash, double quote, newline),
// so a value can never end its label or its line early, whatever bytes it holds.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace ringgate::protocol {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { kCounter, kGauge, kHistogram };

struct Label {
  std::string_view name;   // a constant of the caller: [a-zA-Z_][a-zA-Z0-9_]*
  std::string_view value;  // any bytes; escaped when written
};

using Labels = std::span<const Label>;

// `\` -> `\\`, `"` -> `\"`, newline -> `\n`; every other byte as is.
void append_label_value(std::string& out, std::string_view value);
// HELP text escapes only `\` and newline.
void append_help_text(std::string& out, std::string_view text);
// Shortest text that reads back as the same double; +Inf, -Inf and NaN as Prometheus spells them.
void append_prometheus_float(std::string& out, double v);

class PrometheusWriter {
 public:
  explicit PrometheusWriter(std::string& out) : out_(out) {}

  // The HELP and TYPE lines that open a family; its samples follow.
  void family(std::string_view name, MetricType type, std::string_view help);
  void sample(std::string_view name, Labels labels, uint64_t value);
  void sample(std::string_view name, std::initializer_list<Label> labels, uint64_t value) {
    sample(name, Labels(labels.begin(), labels.size()), value);
  }
  void sample_float(std::string_view name, Labels labels, double value);
  // `bounds`: the finite upper bounds, ascending. `counts`: observations per bucket, not
  // cumulative, one more than bounds (the last is above every bound). Writes the cumulative
  // _bucket lines (le="+Inf" last), _sum and _count.
  void histogram(std::string_view name, Labels labels, std::span<const double> bounds,
                 std::span<const uint64_t> counts, double sum);

 private:
  void series(std::string_view name, std::string_view suffix, Labels labels,
              const Label* extra = nullptr);

  std::string& out_;
};

}  // namespace ringgate::protocol
