#include "protocol/prometheus_text.h"

#include <charconv>
#include <cmath>

namespace ringgate::protocol {

namespace {

std::string_view type_name(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

}  // namespace

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '"') {
      out.append("\\\"");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

void append_help_text(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

void append_prometheus_float(std::string& out, double v) {
  if (std::isnan(v)) {
    out.append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out.append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void PrometheusWriter::family(std::string_view name, MetricType type, std::string_view help) {
  out_.append("# HELP ").append(name).push_back(' ');
  append_help_text(out_, help);
  out_.append("\n# TYPE ").append(name).push_back(' ');
  out_.append(type_name(type)).push_back('\n');
}

void PrometheusWriter::series(std::string_view name, std::string_view suffix, Labels labels,
                              const Label* extra) {
  out_.append(name).append(suffix);
  if (labels.empty() && !extra) {
    out_.push_back(' ');
    return;
  }
  char sep = '{';
  auto add = [&](const Label& l) {
    out_.push_back(sep);
    sep = ',';
    out_.append(l.name).append("=\"");
    append_label_value(out_, l.value);
    out_.push_back('"');
  };
  for (const Label& l : labels) add(l);
  if (extra) add(*extra);
  out_.append("} ");
}

void PrometheusWriter::sample(std::string_view name, Labels labels, uint64_t value) {
  series(name, {}, labels);
  append_uint(out_, value);
  out_.push_back('\n');
}

void PrometheusWriter::sample_float(std::string_view name, Labels labels, double value) {
  series(name, {}, labels);
  append_prometheus_float(out_, value);
  out_.push_back('\n');
}

void PrometheusWriter::histogram(std::string_view name, Labels labels,
                                 std::span<const double> bounds, std::span<const uint64_t> counts,
                                 double sum) {
  uint64_t cumulative = 0;
  std::string le;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    le.clear();
    if (i < bounds.size()) {
      append_prometheus_float(le, bounds[i]);
    } else {
      le = "+Inf";
    }
    const Label bound{"le", le};
    series(name, "_bucket", labels, &bound);
    append_uint(out_, cumulative);
    out_.push_back('\n');
  }
  series(name, "_sum", labels);
  append_prometheus_float(out_, sum);
  out_.push_back('\n');
  series(name, "_count", labels);
  append_uint(out_, cumulative);
  out_.push_back('\n');
}

}  // namespace ringgate::protocol
