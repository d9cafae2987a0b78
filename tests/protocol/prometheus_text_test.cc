#include "protocol/prometheus_text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>

namespace ringgate::protocol {
namespace {

std::string label_value(std::string_view v) {
  std::string out;
  append_label_value(out, v);
  return out;
}

std::string float_text(double v) {
  std::string out;
  append_prometheus_float(out, v);
  return out;
}

TEST(PrometheusText, FamilyWritesHelpAndType) {
  std::string out;
  PrometheusWriter w(out);
  w.family("ringgate_x_total", MetricType::kCounter, "Things.\nback\\slash");
  EXPECT_EQ(out,
            "# HELP ringgate_x_total Things.\\nback\\\\slash\n"
            "# TYPE ringgate_x_total counter\n");
}

TEST(PrometheusText, SamplesWithAndWithoutLabels) {
  std::string out;
  PrometheusWriter w(out);
  w.sample("a", {}, 0);
  w.sample("b", {{"model", "gpt-4o"}, {"team", "research"}}, 18446744073709551615ull);
  const Label l[] = {{"k", "v"}};
  w.sample_float("c", l, 0.25);
  EXPECT_EQ(out,
            "a 0\n"
            "b{model=\"gpt-4o\",team=\"research\"} 18446744073709551615\n"
            "c{k=\"v\"} 0.25\n");
}

TEST(PrometheusText, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(label_value(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(label_value(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(label_value("two\nlines"), R"(two\nlines)");
  EXPECT_EQ(label_value("tab\tand\r"), "tab\tand\r");  // only the three the format names
  EXPECT_EQ(label_value(""), "");
}

// Whatever a hostile value holds, the sample stays one line and the value one quoted string.
TEST(PrometheusText, HostileLabelValuesStayInsideTheirQuotes) {
  const std::string hostile[] = {
      "\"} 1\nringgate_fake_total 999\n#",
      "\\",
      "\\\"",
      "\n\n\n",
      std::string("nul\0byte", 8),
      "\xff\xfe utf-8? no",
      "}{,=\"",
  };
  for (const std::string& v : hostile) {
    std::string out;
    PrometheusWriter w(out);
    const Label l[] = {{"model", v}};
    w.sample("m", l, 7);
    ASSERT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
    ASSERT_EQ(out.back(), '\n');
    ASSERT_EQ(out.substr(0, 9), "m{model=\"");
    ASSERT_EQ(out.substr(out.size() - 5), "\"} 7\n");
    // Unescape what is between the quotes: it reads back as the value.
    std::string inner = out.substr(9, out.size() - 9 - 5), back;
    for (size_t i = 0; i < inner.size(); ++i) {
      if (inner[i] != '\\') {
        ASSERT_NE(inner[i], '"') << "an unescaped quote ends the value early: " << out;
        back.push_back(inner[i]);
        continue;
      }
      ASSERT_LT(i + 1, inner.size());
      char e = inner[++i];
      back.push_back(e == 'n' ? '\n' : e);
    }
    EXPECT_EQ(back, v);
  }
}

TEST(PrometheusText, FloatsReadBack) {
  EXPECT_EQ(float_text(0), "0");
  EXPECT_EQ(float_text(1), "1");
  EXPECT_EQ(float_text(0.005), "0.005");
  EXPECT_EQ(float_text(2.5), "2.5");
  EXPECT_EQ(float_text(1e21), "1e+21");
  EXPECT_EQ(float_text(-3.75), "-3.75");
  EXPECT_EQ(float_text(1.0 / 0.0), "+Inf");
  EXPECT_EQ(float_text(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(float_text(0.0 / 0.0), "NaN");
  for (double v : {0.1, 1.0 / 3, 123456.789, 5e-324})
    EXPECT_EQ(std::strtod(float_text(v).c_str(), nullptr), v);
}

TEST(PrometheusText, HistogramIsCumulativeWithInfSumAndCount) {
  std::string out;
  PrometheusWriter w(out);
  const std::array<double, 3> bounds{0.1, 0.5, 1};
  const std::array<uint64_t, 4> counts{2, 0, 3, 1};
  const Label l[] = {{"model", "m"}};
  w.histogram("lat_seconds", l, bounds, counts, 4.25);
  EXPECT_EQ(out,
            "lat_seconds_bucket{model=\"m\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{model=\"m\",le=\"0.5\"} 2\n"
            "lat_seconds_bucket{model=\"m\",le=\"1\"} 5\n"
            "lat_seconds_bucket{model=\"m\",le=\"+Inf\"} 6\n"
            "lat_seconds_sum{model=\"m\"} 4.25\n"
            "lat_seconds_count{model=\"m\"} 6\n");
}

TEST(PrometheusText, HistogramWithoutLabels) {
  std::string out;
  PrometheusWriter w(out);
  const std::array<double, 1> bounds{1};
  const std::array<uint64_t, 2> counts{0, 0};
  w.histogram("h", {}, bounds, counts, 0);
  EXPECT_EQ(out,
            "h_bucket{le=\"1\"} 0\n"
            "h_bucket{le=\"+Inf\"} 0\n"
            "h_sum 0\n"
            "h_count 0\n");
}

}  // namespace
}  // namespace ringgate::protocol
