#include "engine/managed/state_file.h"

#include <charconv>

namespace ringgate::managed {

namespace {

constexpr std::string_view kMagic = "ringgate-managed 1\n";
constexpr size_t kMaxCmdline = 64 * 1024;

template <typename T>
bool parse_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool parse_hex(std::string_view s, std::string& out) {
  if (s.size() % 2 != 0 || s.size() / 2 > kMaxCmdline) return false;
  out.clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    const int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(char(hi << 4 | lo));
  }
  return true;
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string format_state(const StateRecord& r) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kMagic);
  out += "owner_pid=" + std::to_string(r.owner_pid) + "\n";
  out += "owner_start=" + std::to_string(r.owner_start) + "\n";
  out += "pid=" + std::to_string(r.pid) + "\n";
  out += "start=" + std::to_string(r.start) + "\n";
  out += "deployment=" + r.deployment + "\n";
  out += "cmdline=";
  for (unsigned char c : r.cmdline) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  out += "\nend\n";
  return out;
}

std::optional<StateRecord> parse_state(std::string_view text) {
  if (!text.starts_with(kMagic)) return std::nullopt;
  text.remove_prefix(kMagic.size());
  StateRecord r;
  unsigned seen = 0;  // one bit per key, each exactly once
  bool ended = false;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;  // torn: no final newline
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (line == "end") {
      ended = true;
      break;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
    unsigned bit = 0;
    bool ok = false;
    if (key == "owner_pid")
      bit = 1, ok = parse_number(value, r.owner_pid) && r.owner_pid > 0;
    else if (key == "owner_start")
      bit = 2, ok = parse_number(value, r.owner_start);
    else if (key == "pid")
      bit = 4, ok = parse_number(value, r.pid) && r.pid > 1;
    else if (key == "start")
      bit = 8, ok = parse_number(value, r.start);
    else if (key == "deployment")
      bit = 16, ok = valid_name(value), r.deployment = value;
    else if (key == "cmdline")
      bit = 32, ok = parse_hex(value, r.cmdline) && !r.cmdline.empty();
    if (!ok || (seen & bit)) return std::nullopt;
    seen |= bit;
  }
  if (!ended || !text.empty() || seen != 63) return std::nullopt;
  return r;
}

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  const size_t close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(close + 1);
  // rest: " S ppid pgrp ... starttime ...": field 3 is the first after ')'.
  ProcStat st;
  int field = 2;
  while (!rest.empty()) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    const size_t sp = rest.find(' ');
    const std::string_view tok = rest.substr(0, sp);
    rest.remove_prefix(sp == std::string_view::npos ? rest.size() : sp);
    ++field;
    if (field == 5 && !parse_number(tok, st.pgid)) return std::nullopt;
    if (field == 22) {
      std::string_view t = tok;
      if (!t.empty() && t.back() == '\n') t.remove_suffix(1);
      if (!parse_number(t, st.start)) return std::nullopt;
      return st;
    }
  }
  return std::nullopt;
}

}  // namespace ringgate::managed
