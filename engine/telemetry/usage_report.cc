#include "engine/telemetry/usage_report.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "protocol/error_body.h"

namespace ringgate::telemetry {
namespace {

constexpr int kColumns = 7;
constexpr std::array<std::string_view, kColumns - 1> kNumberHeads = {
    "requests", "input_tokens", "output_tokens", "cached_input_tokens", "cache_creation_tokens",
    "cost_usd"};

bool parse_digits(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 15 || s[0] < '0' || s[0] > '9') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[Z]", in UTC.
std::optional<int64_t> parse_iso(std::string_view s) {
  if (s.ends_with('Z')) s.remove_suffix(1);
  if (s.size() != 10 && s.size() != 19) return std::nullopt;
  int64_t f[6] = {0, 0, 0, 0, 0, 0};
  const size_t at[6] = {0, 5, 8, 11, 14, 17}, len[6] = {4, 2, 2, 2, 2, 2};
  const std::string_view seps = s.size() == 10 ? "--" : "--T::";
  for (size_t i = 0; i < seps.size(); ++i)
    if (s[at[i + 1] - 1] != seps[i]) return std::nullopt;
  for (size_t i = 0; i < (s.size() == 10 ? 3u : 6u); ++i)
    if (!parse_digits(s.substr(at[i], len[i]), f[i])) return std::nullopt;
  struct tm tm {};
  tm.tm_year = int(f[0] - 1900), tm.tm_mon = int(f[1] - 1), tm.tm_mday = int(f[2]);
  tm.tm_hour = int(f[3]), tm.tm_min = int(f[4]), tm.tm_sec = int(f[5]);
  const time_t t = timegm(&tm);
  // timegm normalises 2026-02-30 to March; such a date was not a date.
  if (f[0] < 1970 || tm.tm_mon != f[1] - 1 || tm.tm_mday != f[2] || tm.tm_hour != f[3] ||
      tm.tm_min != f[4] || tm.tm_sec != f[5])
    return std::nullopt;
  return int64_t(t);
}

std::array<std::string, kColumns> cells(const UsageGroup& g) {
  return {g.name.empty() ? "(none)" : g.name,    std::to_string(g.requests),
          std::to_string(g.input_tokens),        std::to_string(g.output_tokens),
          std::to_string(g.cached_input_tokens), std::to_string(g.cache_creation_tokens),
          format_usd_fixed(g.cost_micros)};
}

UsageGroup total_of(const std::vector<UsageGroup>& groups) {
  UsageGroup t{"total"};
  for (const UsageGroup& g : groups) {
    t.requests += g.requests, t.input_tokens += g.input_tokens, t.output_tokens += g.output_tokens;
    t.cached_input_tokens += g.cached_input_tokens;
    t.cache_creation_tokens += g.cache_creation_tokens, t.cost_micros += g.cost_micros;
  }
  return t;
}

std::string aligned(const std::vector<std::array<std::string, kColumns>>& rows) {
  std::array<size_t, kColumns> width{};
  for (const auto& r : rows)
    for (int c = 0; c < kColumns; ++c) width[c] = std::max(width[c], r[c].size());
  std::string out;
  for (const auto& r : rows) {
    out += r[0] + std::string(width[0] - r[0].size(), ' ');
    for (int c = 1; c < kColumns; ++c)
      out += "  " + std::string(width[c] - r[c].size(), ' ') + r[c];
    out += '\n';
  }
  return out;
}

void append_group_json(std::string& out, const UsageGroup& g, bool with_name) {
  out += '{';
  if (with_name) {
    out += "\"name\":\"";
    protocol::append_json_escaped(out, g.name);
    out += "\",";
  }
  out += "\"requests\":" + std::to_string(g.requests) +
         ",\"input_tokens\":" + std::to_string(g.input_tokens) +
         ",\"output_tokens\":" + std::to_string(g.output_tokens) +
         ",\"cached_input_tokens\":" + std::to_string(g.cached_input_tokens) +
         ",\"cache_creation_tokens\":" + std::to_string(g.cache_creation_tokens) +
         ",\"cost_micros\":" + std::to_string(g.cost_micros) +
         ",\"cost_usd\":" + format_usd_fixed(g.cost_micros) + '}';
}

}  // namespace

std::optional<int64_t> parse_since(std::string_view text, int64_t now_s, std::string& why) {
  int64_t n = 0;
  if (parse_digits(text, n)) return n;
  if (!text.empty() && parse_digits(text.substr(0, text.size() - 1), n)) {
    switch (text.back()) {
      case 's':
        return now_s - n;
      case 'm':
        return now_s - n * 60;
      case 'h':
        return now_s - n * 3600;
      case 'd':
        return now_s - n * 86400;
    }
  }
  if (std::optional<int64_t> t = parse_iso(text)) return t;
  why = "--since " + std::string(text) +
        ": give a duration before now (30m, 24h, 7d), unix seconds, or an ISO date or time "
        "(2026-03-15, 2026-03-15T12:00:00Z)";
  return std::nullopt;
}

std::optional<UsageGrouping> parse_grouping(std::string_view text) {
  if (text == "key") return UsageGrouping::kKey;
  if (text == "team") return UsageGrouping::kTeam;
  if (text == "model") return UsageGrouping::kModel;
  if (text == "node") return UsageGrouping::kNode;
  return std::nullopt;
}

std::string_view grouping_name(UsageGrouping by) {
  switch (by) {
    case UsageGrouping::kKey:
      return "key";
    case UsageGrouping::kTeam:
      return "team";
    case UsageGrouping::kModel:
      return "model";
    case UsageGrouping::kNode:
      return "node";
  }
  return "key";
}

std::string format_usd_fixed(int64_t micros) {
  const uint64_t m = micros < 0 ? 0 - uint64_t(micros) : uint64_t(micros);
  const std::string fraction = std::to_string(m % 1'000'000);
  std::string out = micros < 0 ? "-" : "";
  out += std::to_string(m / 1'000'000);
  out += '.';
  out.append(6 - fraction.size(), '0');
  out += fraction;
  return out;
}

std::string iso_utc(int64_t unix_s) {
  const time_t t = time_t(unix_s);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string usage_table(const std::vector<UsageGroup>& groups, UsageGrouping by, int64_t since_s) {
  std::vector<std::array<std::string, kColumns>> rows;
  std::array<std::string, kColumns> head{std::string(grouping_name(by))};
  for (int c = 1; c < kColumns; ++c) head[c] = kNumberHeads[c - 1];
  rows.push_back(head);
  for (const UsageGroup& g : groups) rows.push_back(cells(g));
  rows.push_back(cells(total_of(groups)));
  return "usage since " + iso_utc(since_s) + " by " + std::string(grouping_name(by)) + "\n" +
         aligned(rows);
}

std::string usage_json(const std::vector<UsageGroup>& groups, UsageGrouping by, int64_t since_s) {
  std::string out = "{\"since\":\"" + iso_utc(since_s) +
                    "\",\"since_unix\":" + std::to_string(since_s) + ",\"by\":\"" +
                    std::string(grouping_name(by)) + "\",\"groups\":[";
  for (size_t i = 0; i < groups.size(); ++i) {
    if (i) out += ',';
    append_group_json(out, groups[i], true);
  }
  out += "],\"total\":";
  append_group_json(out, total_of(groups), false);
  return out + "}\n";
}

std::string usage_rows_json_lines(const std::vector<LedgerRow>& rows) {
  std::string out;
  auto text = [&](const char* name, std::string_view v) {
    out += name;
    out += ":\"";
    protocol::append_json_escaped(out, v);
    out += '"';
  };
  auto number = [&](const char* name, int64_t v) {
    out += name;
    out += ':';
    out += std::to_string(v);
  };
  for (const LedgerRow& r : rows) {
    text("{\"request_id\"", r.request_id);
    number(",\"unix_ms\"", r.unix_ms);
    text(",\"key\"", r.key_id);
    text(",\"team\"", r.team);
    text(",\"client_address\"", r.client_address);
    text(",\"model_requested\"", r.model_requested);
    text(",\"model_served\"", r.model_served);
    text(",\"deployment\"", r.deployment);
    number(",\"status\"", r.status);
    text(",\"outcome\"", r.outcome);
    number(",\"input_tokens\"", r.input_tokens);
    number(",\"output_tokens\"", r.output_tokens);
    number(",\"cached_input_tokens\"", r.cached_input_tokens);
    number(",\"cache_creation_tokens\"", r.cache_creation_tokens);
    number(",\"reasoning_tokens\"", r.reasoning_tokens);
    text(",\"usage_source\"", r.usage_source);
    number(",\"cost_micros\"", r.cost_micros);
    text(",\"cache_result\"", r.cache_result);
    number(",\"attempts\"", r.attempts);
    number(",\"admission_us\"", r.admission_us);
    number(",\"cache_us\"", r.cache_us);
    number(",\"connect_us\"", r.connect_us);
    number(",\"ttfb_us\"", r.ttfb_us);
    number(",\"total_us\"", r.total_us);
    out += r.taps_complete ? ",\"taps_complete\":true}\n" : ",\"taps_complete\":false}\n";
  }
  return out;
}

}  // namespace ringgate::telemetry
