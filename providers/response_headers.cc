#include "providers/response_headers.h"

#include <charconv>

#include "protocol/civil_date.h"

namespace ringgate::providers {

using protocol::ApiFront;
using protocol::ascii_iequals;
using protocol::HttpHeader;

namespace {

constexpr uint64_t kMaxDurationNs = 1'000'000'000'000'000'000ull;  // 10^12 ms

bool has_prefix(std::string_view s, std::string_view lower_prefix) {
  return s.size() >= lower_prefix.size() &&
         ascii_iequals(s.substr(0, lower_prefix.size()), lower_prefix);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

void append_number(std::string& out, uint64_t n) {
  char num[24];
  auto [end, ec] = std::to_chars(num, num + sizeof num, n);
  out.append(num, end);
}

// A decimal count: 1 to 19 digits, nothing else.
bool parse_count(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// `n` digits at s[at..], as a number; false if any is not a digit.
bool digits(std::string_view s, size_t at, size_t n, unsigned& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!is_digit(s[i])) return false;
    out = out * 10 + unsigned(s[i] - '0');
  }
  return true;
}

// One rate-limit group's three values, as the upstream wrote them ("" when absent).
struct Group {
  std::string_view limit, remaining, reset;
  bool any() const { return !limit.empty() || !remaining.empty() || !reset.empty(); }
};

enum GroupIndex { kRequests, kTokens, kInputTokens, kOutputTokens, kGroups };
constexpr std::string_view kGroupNames[kGroups] = {"requests", "tokens", "input-tokens",
                                                   "output-tokens"};

Group* field_of(Group (&groups)[kGroups], std::string_view name, ApiFront dialect) {
  if (dialect == ApiFront::kOpenAi) {
    // x-ratelimit-<field>-<group>
    constexpr std::string_view kPrefix = "x-ratelimit-";
    if (!has_prefix(name, kPrefix)) return nullptr;
    std::string_view rest = name.substr(kPrefix.size());
    for (int g : {kRequests, kTokens}) {
      for (std::string_view field : {"limit", "remaining", "reset"}) {
        if (rest.size() == field.size() + 1 + kGroupNames[g].size() &&
            ascii_iequals(rest.substr(0, field.size()), field) && rest[field.size()] == '-' &&
            ascii_iequals(rest.substr(field.size() + 1), kGroupNames[g])) {
          return &groups[g];
        }
      }
    }
    return nullptr;
  }
  constexpr std::string_view kPrefix = "anthropic-ratelimit-";
  if (!has_prefix(name, kPrefix)) return nullptr;
  std::string_view rest = name.substr(kPrefix.size());
  for (int g = 0; g < kGroups; ++g) {
    const std::string_view gn = kGroupNames[g];
    if (rest.size() > gn.size() + 1 && ascii_iequals(rest.substr(0, gn.size()), gn) &&
        rest[gn.size()] == '-') {
      const std::string_view field = rest.substr(gn.size() + 1);
      if (ascii_iequals(field, "limit") || ascii_iequals(field, "remaining") ||
          ascii_iequals(field, "reset")) {
        return &groups[g];
      }
    }
  }
  return nullptr;
}

// The field name after the prefix (OpenAI: before the group; Anthropic: after it).
std::string_view field_name(std::string_view name, ApiFront dialect) {
  if (dialect == ApiFront::kOpenAi) {
    std::string_view rest = name.substr(std::string_view("x-ratelimit-").size());
    return rest.substr(0, rest.find('-'));
  }
  return name.substr(name.rfind('-') + 1);
}

// Writes one group in `to`'s dialect under `group_name`, each value only when it reads well.
void emit(const Group& g, std::string_view group_name, ApiFront from, ApiFront to, int64_t now_ms,
          std::string& out) {
  uint64_t n = 0;
  const bool openai = to == ApiFront::kOpenAi;
  auto name = [&](std::string_view field) {
    if (openai) {
      out.append("x-ratelimit-").append(field).append("-").append(group_name).append(": ");
    } else {
      out.append("anthropic-ratelimit-").append(group_name).append("-").append(field).append(": ");
    }
  };
  if (parse_count(g.limit, n)) {
    name("limit");
    append_number(out, n);
    out.append("\r\n");
  }
  if (parse_count(g.remaining, n)) {
    name("remaining");
    append_number(out, n);
    out.append("\r\n");
  }
  if (g.reset.empty()) return;
  if (from == ApiFront::kOpenAi) {
    uint64_t ms = 0;
    if (!parse_openai_duration(g.reset, ms)) return;
    name("reset");
    const int64_t at_ms = now_ms + int64_t(ms);
    append_rfc3339(out, at_ms / 1000 + (at_ms % 1000 > 0 ? 1 : 0));
  } else {
    int64_t at_ms = 0;
    if (!parse_rfc3339(g.reset, at_ms)) return;
    name("reset");
    append_openai_duration(out, at_ms > now_ms ? uint64_t(at_ms - now_ms) : 0);
  }
  out.append("\r\n");
}

uint64_t remaining_or_max(const Group& g) {
  uint64_t n = 0;
  return parse_count(g.remaining, n) ? n : UINT64_MAX;
}

}  // namespace

bool is_rate_limit_header(std::string_view name) {
  return has_prefix(name, "x-ratelimit-") || has_prefix(name, "anthropic-ratelimit-");
}

bool parse_openai_duration(std::string_view s, uint64_t& ms) {
  if (s == "0") {
    ms = 0;
    return true;
  }
  unsigned __int128 total = 0;
  size_t i = 0;
  if (s.empty()) return false;
  while (i < s.size()) {
    uint64_t whole = 0;
    size_t whole_digits = 0;
    while (i < s.size() && is_digit(s[i])) {
      if (++whole_digits > 19) return false;
      whole = whole * 10 + uint64_t(s[i++] - '0');
    }
    uint64_t frac = 0, scale = 1;
    size_t frac_digits = 0;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && is_digit(s[i])) {
        if (frac_digits < 18) {  // further digits are below a nanosecond's worth
          frac = frac * 10 + uint64_t(s[i] - '0');
          scale *= 10;
        }
        ++frac_digits;
        ++i;
      }
      if (frac_digits == 0 && whole_digits == 0) return false;
    } else if (whole_digits == 0) {
      return false;
    }
    uint64_t unit = 0;
    const std::string_view rest = s.substr(i);
    if (rest.starts_with("ns")) {
      unit = 1, i += 2;
    } else if (rest.starts_with("us")) {
      unit = 1000, i += 2;
    } else if (rest.starts_with("\xC2\xB5s") || rest.starts_with("\xCE\xBCs")) {
      unit = 1000, i += 3;
    } else if (rest.starts_with("ms")) {
      unit = 1'000'000, i += 2;
    } else if (rest.starts_with("s")) {
      unit = 1'000'000'000, i += 1;
    } else if (rest.starts_with("m")) {
      unit = 60'000'000'000, i += 1;
    } else if (rest.starts_with("h")) {
      unit = 3'600'000'000'000, i += 1;
    } else {
      return false;
    }
    total += (unsigned __int128)whole * unit;
    // The fraction rounded up: a duration is never shortened.
    total += ((unsigned __int128)frac * unit + scale - 1) / scale;
    if (total > kMaxDurationNs) return false;
  }
  ms = uint64_t((total + 999'999) / 1'000'000);
  return true;
}

void append_openai_duration(std::string& out, uint64_t ms) {
  if (ms < 1000) {
    append_number(out, ms);
    out.append("ms");
    return;
  }
  const uint64_t h = ms / 3'600'000, m = ms / 60'000 % 60, s = ms / 1000 % 60, frac = ms % 1000;
  if (h) append_number(out, h), out.push_back('h');
  if (h || m) append_number(out, m), out.push_back('m');
  append_number(out, s);
  if (frac) {
    char d[3] = {char('0' + frac / 100), char('0' + frac / 10 % 10), char('0' + frac % 10)};
    int n = 3;
    while (n > 0 && d[n - 1] == '0') --n;
    out.push_back('.');
    out.append(d, size_t(n));
  }
  out.push_back('s');
}

bool parse_rfc3339(std::string_view s, int64_t& unix_ms) {
  // YYYY-MM-DDTHH:MM:SS
  unsigned year, month, day, hour, minute, second;
  if (s.size() < 20 || !digits(s, 0, 4, year) || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
      !digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' ||
      !digits(s, 17, 2, second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return false;
  }
  size_t i = 19;
  int64_t millis = 0;
  if (s[i] == '.') {
    ++i;
    const size_t start = i;
    int64_t scale = 100;
    while (i < s.size() && is_digit(s[i])) {
      millis += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return false;
  }
  if (i >= s.size()) return false;
  int64_t offset_s = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    unsigned oh, om;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' ||
        !digits(s, i + 4, 2, om) || oh > 23 || om > 59) {
      return false;
    }
    offset_s = (s[i] == '+' ? 1 : -1) * int64_t(oh * 3600 + om * 60);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size()) return false;
  const int64_t days = protocol::days_from_civil(year, month, day);
  const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  unix_ms = secs * 1000 + millis;
  return true;
}

void append_rfc3339(std::string& out, int64_t unix_s) {
  // No locale or libc year formatting is involved.
  int64_t days = unix_s / 86400, rem = unix_s % 86400;
  if (rem < 0) rem += 86400, --days;
  const protocol::CivilDate date = protocol::civil_from_days(days);
  const int64_t y = date.year;
  const unsigned m = date.month, d = date.day;
  auto two = [&out](unsigned v) {
    out.push_back(char('0' + v / 10));
    out.push_back(char('0' + v % 10));
  };
  if (y < 0 || y > 9999) {
    out.append(y < 0 ? "0000" : "9999");  // outside RFC 3339; never for real resets
  } else {
    two(unsigned(y / 100));
    two(unsigned(y % 100));
  }
  out.push_back('-');
  two(m);
  out.push_back('-');
  two(d);
  out.push_back('T');
  two(unsigned(rem / 3600));
  out.push_back(':');
  two(unsigned(rem / 60 % 60));
  out.push_back(':');
  two(unsigned(rem % 60));
  out.push_back('Z');
}

void translate_rate_limit_headers(std::span<const HttpHeader> headers, ApiFront from, ApiFront to,
                                  int64_t now_unix_ms, std::string& out) {
  if (from == to) {
    for (const HttpHeader& h : headers) {
      if (!is_rate_limit_header(h.name)) continue;
      out.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    return;
  }
  Group groups[kGroups];
  for (const HttpHeader& h : headers) {
    Group* g = field_of(groups, h.name, from);
    if (!g) continue;
    const std::string_view field = field_name(h.name, from);
    std::string_view* slot = ascii_iequals(field, "limit")       ? &g->limit
                             : ascii_iequals(field, "remaining") ? &g->remaining
                                                                 : &g->reset;
    if (slot->empty()) *slot = h.value;  // the first of repeated fields
  }
  emit(groups[kRequests], "requests", from, to, now_unix_ms, out);
  if (from == ApiFront::kOpenAi || groups[kTokens].any()) {
    emit(groups[kTokens], "tokens", from, to, now_unix_ms, out);
    return;
  }
  // Anthropic without a combined tokens group: the tighter of input and output.
  const Group& in = groups[kInputTokens];
  const Group& outg = groups[kOutputTokens];
  const Group* pick = nullptr;
  if (in.any() && outg.any()) {
    pick = remaining_or_max(outg) < remaining_or_max(in) ? &outg : &in;
  } else if (in.any()) {
    pick = &in;
  } else if (outg.any()) {
    pick = &outg;
  }
  if (pick) emit(*pick, "tokens", from, to, now_unix_ms, out);
}

void append_carried_headers(std::span<const HttpHeader> headers,
                            const CarriedHeaderOptions& options, std::string& out) {
  for (const HttpHeader& h : headers) {
    if (ascii_iequals(h.name, "retry-after") || ascii_iequals(h.name, "retry-after-ms") ||
        ascii_iequals(h.name, "x-should-retry")) {
      out.append(h.name).append(": ").append(h.value).append("\r\n");
    }
  }
  if (options.rate_limits) {
    translate_rate_limit_headers(headers, options.from, options.to, options.now_unix_ms, out);
  }
}

}  // namespace ringgate::providers
