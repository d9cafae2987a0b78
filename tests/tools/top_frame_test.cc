// The `ringgate top` frame from admin API replies: the figures where an operator looks for them,
// "-" for what is missing, bars that follow used/limit, and a frame that never exceeds the
// terminal or carries a control byte from the JSON.
#include "tools/cli/top_frame.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace ringgate::cli {
namespace {

// The spec's shapes (README "ringgate top"), with figures that make each line distinct.
const char* kOverview =
    R"({"uptime_s":3723,"shards":2,"now":1764800000,"requests_per_s":{"1m":1.5,"5m":0.4},)"
    R"("error_rate":{"1m":0.0,"5m":0.01},"open_connections":3,"open_streams":1,)"
    R"("latency_ms":{"p50":1.2,"p95":4.0,"p99":9.0},"ttft_ms":{"p50":1.0,"p95":3.0,"p99":7.0},)"
    R"("spend_today_usd":0.001234,"series":{"step_s":10,"points":[]}})";
const char* kKeys =
    R"({"keys":[{"id":"alice","team":"eng","source":"config","expires_at":null,"revoked":false,)"
    R"("requests":10,"spend_usd":0.01,)"
    R"("limits":[{"name":"requests_per_minute","limit":60,"remaining":45,"reset_s":12.5}],)"
    R"("budgets":[{"period":"day","limit_usd":5.0,"spent_usd":1.25,"remaining_usd":3.75,)"
    R"("resets_at":1764806400}]},)"
    R"({"id":"bob","team":null,"revoked":true,"requests":0,"spend_usd":0,"limits":[],"budgets":[]}]})";
const char* kTeams =
    R"({"teams":[{"id":"eng","keys":2,"requests":10,"spend_usd":0.01,"limits":[{"name":)"
    R"("tokens_per_minute","limit":100000,"remaining":96500,"reset_s":40}],"budgets":[]}]})";
const char* kDeployments =
    R"({"deployments":[{"name":"mock-a","models":["gpt-4o"],"upstream":"mock","health":"up",)"
    R"("breaker":"closed","in_flight":0,"latency_ewma_ms":2.5,"requests":10,"errors":1,)"
    R"("managed":null},{"name":"local","health":"down","breaker":"open","in_flight":2,)"
    R"("latency_ewma_ms":120.5,"requests":3,"errors":3,"managed":{"state":"ready","pid":123}}]})";

std::vector<std::string> lines_of(const std::string& frame) {
  std::vector<std::string> out;
  std::istringstream in(frame);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

bool has_line(const std::vector<std::string>& lines, const std::string& want) {
  for (const std::string& l : lines) {
    if (l == want) return true;
  }
  return false;
}

std::string full_frame(unsigned width = 80, unsigned height = 100) {
  return render_top_frame({kOverview, kKeys, kTeams, kDeployments, "127.0.0.1:8080", ""}, width,
                          height);
}

TEST(TopFrame, ShowsTheOverviewFigures) {
  const auto lines = lines_of(full_frame());
  ASSERT_GE(lines.size(), 5u);
  EXPECT_EQ(lines[0], "ringgate top  127.0.0.1:8080  up 1h02m  2 shards  22:13:20 UTC");
  EXPECT_EQ(lines[1], "requests/s  1m 1.50      5m 0.40          errors  1m 0.0%    5m 1.0%");
  EXPECT_EQ(lines[2], "latency ms  p50 1.2      p95 4.0      p99 9.0");
  EXPECT_EQ(lines[3], "ttft ms     p50 1.0      p95 3.0      p99 7.0");
  EXPECT_EQ(lines[4], "open        3 connections  1 streams     spend today $0.0012");
  EXPECT_EQ(lines.size(), 21u);
}

// A bar line as an 80-column frame lays it out: label, 24 cells, used/limit, when it refills.
std::string bar_line(const std::string& label, int filled, const std::string& value,
                     const std::string& tail) {
  std::string line = "  " + label + std::string(21 - label.size(), ' ') + "[" +
                     std::string(filled, '#') + std::string(24 - filled, '.') + "] ";
  return line + std::string(15 - value.size(), ' ') + value + "  " + tail;
}

TEST(TopFrame, DrawsABarPerLimitAndBudget) {
  const auto lines = lines_of(full_frame());
  EXPECT_TRUE(has_line(lines, "alice  team eng  10 requests  $0.01"));
  // 15 of 60 used: a quarter of 24 cells; $1.25 of $5 the same; 3500 of 100000 rounds to one.
  EXPECT_TRUE(has_line(
      lines, "  requests_per_minute  [######..................]           15/60  resets 13s"));
  EXPECT_TRUE(has_line(lines, bar_line("budget day", 6, "$1.25/$5.00", "resets 1h46m")));
  EXPECT_TRUE(has_line(lines, "bob  team -  REVOKED  0 requests  $0"));
  EXPECT_TRUE(has_line(lines, "eng  2 keys  10 requests  $0.01"));
  EXPECT_TRUE(has_line(lines, bar_line("tokens_per_minute", 1, "3500/100000", "resets 40s")));
}

TEST(TopFrame, ListsDeploymentsWithTheirBreakers) {
  const auto lines = lines_of(full_frame());
  EXPECT_TRUE(has_line(lines, "DEPLOYMENTS (2)"));
  EXPECT_TRUE(
      has_line(lines, "mock-a             up      closed        0     2.5       10      1 -"));
  EXPECT_TRUE(
      has_line(lines, "local              down    open          2   120.5        3      3 ready"));
}

TEST(TopFrame, FitsTheWidthAndHeight) {
  for (unsigned width : {40u, 60u, 80u, 132u}) {
    for (unsigned height : {1u, 5u, 12u, 24u}) {
      const auto lines = lines_of(full_frame(width, height));
      EXPECT_LE(lines.size(), height);
      for (const std::string& l : lines) EXPECT_LE(l.size(), width) << l;
    }
  }
  const auto cut = lines_of(full_frame(80, 12));
  ASSERT_EQ(cut.size(), 12u);
  EXPECT_EQ(cut.back(), "... 10 more lines (a taller terminal shows them)");
  EXPECT_EQ(lines_of(full_frame(80, 100)).size(), 21u);
}

TEST(TopFrame, BarsClampToEmptyAndFull) {
  const char* keys =
      R"({"keys":[{"id":"k","limits":[{"name":"over","limit":10,"remaining":-5,"reset_s":1},)"
      R"({"name":"under","limit":10,"remaining":20},{"name":"zero","limit":0,"remaining":0}],)"
      R"("budgets":[{"period":"month","limit_usd":1,"spent_usd":3,"resets_at":5}]}]})";
  const auto lines = lines_of(render_top_frame({"", keys, "", "", "gw", ""}, 80, 100));
  EXPECT_TRUE(has_line(lines, bar_line("over", 24, "15/10", "resets 1s")));
  // Nothing used: nothing to refill.
  EXPECT_TRUE(has_line(lines, bar_line("under", 0, "-10/10", "full")));
  EXPECT_TRUE(has_line(lines, bar_line("zero", 0, "0/0", "full")));
  // No overview, so no "now" to count the reset from.
  EXPECT_TRUE(has_line(lines, bar_line("budget month", 24, "$3.00/$1.00", "resets -")));
}

TEST(TopFrame, MissingFieldsShowAsDash) {
  const auto lines = lines_of(
      render_top_frame({"{}", R"({"keys":[{}]})", R"({"teams":7})", "[1,2]", "gw", ""}, 80, 100));
  EXPECT_EQ(lines[0], "ringgate top  gw  up -  - shards  -");
  EXPECT_EQ(lines[1], "requests/s  1m -         5m -             errors  1m -       5m -");
  EXPECT_TRUE(has_line(lines, "DEPLOYMENTS  -"));
  EXPECT_TRUE(has_line(lines, "KEYS (1)"));
  EXPECT_TRUE(has_line(lines, "-  team -  - requests  -"));
  EXPECT_TRUE(has_line(lines, "  no limits or budgets"));
  EXPECT_TRUE(has_line(lines, "TEAMS  -"));
  // Mistyped values are missing values too.
  const auto typed = lines_of(render_top_frame(
      {R"({"uptime_s":"long","requests_per_s":{"1m":"x","5m":null}})", "", "", "", "gw", ""}, 80,
      100));
  EXPECT_EQ(typed[0], "ringgate top  gw  up -  - shards  -");
  EXPECT_EQ(typed[1], "requests/s  1m -         5m -             errors  1m -       5m -");
}

TEST(TopFrame, ShowsTheProblemUnderTheTitle) {
  const auto lines = lines_of(render_top_frame(
      {"", "", "", "", "127.0.0.1:1", "no gateway answers on 127.0.0.1:1 (retrying)"}, 80, 24));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[1], "! no gateway answers on 127.0.0.1:1 (retrying)");
  EXPECT_TRUE(has_line(lines, "KEYS  -"));
}

TEST(TopFrame, NotJsonIsNoData) {
  for (const char* junk : {"{", "null", "<html>", "\xff\xfe", "{\"keys\":[{\"id\":"}) {
    const auto lines = lines_of(render_top_frame({junk, junk, junk, junk, "gw", ""}, 80, 100));
    EXPECT_TRUE(has_line(lines, "KEYS  -")) << junk;
    EXPECT_TRUE(has_line(lines, "DEPLOYMENTS  -")) << junk;
  }
}

TEST(TopFrame, NamesCannotControlTheTerminal) {
  const char* deployments =
      R"({"deployments":[{"name":"\u001b[2Jevil\u0007","health":"caf\u00e9","breaker":"\n"}]})";
  const std::string frame = render_top_frame({"", "", "", deployments, "g\x1bw", ""}, 80, 100);
  for (char c : frame) {
    EXPECT_TRUE(c == '\n' || (c >= 0x20 && c < 0x7f)) << int(static_cast<unsigned char>(c));
  }
  EXPECT_NE(frame.find("?[2Jevil?"), std::string::npos);
}

TEST(TopFrame, LargeNumbersStayNarrow) {
  const char* overview =
      R"({"uptime_s":1e300,"now":-5,"requests_per_s":{"1m":123456789012345},"spend_today_usd":1e20,)"
      R"("open_connections":18446744073709551615})";
  const auto lines = lines_of(render_top_frame({overview, "", "", "", "gw", ""}, 80, 100));
  EXPECT_EQ(lines[0], "ringgate top  gw  up >999d  - shards  -");
  EXPECT_EQ(lines[1].substr(0, 25), "requests/s  1m 1.23e+14  ");
  EXPECT_EQ(lines[4], "open        1.84e+19 connections  - streams     spend today $1e+20");
}

}  // namespace
}  // namespace ringgate::cli
