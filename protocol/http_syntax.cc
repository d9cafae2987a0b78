#include "protocol/http_syntax.h"

#include <array>
#include <limits>

namespace ringgate::protocol::http_syntax {

namespace {

constexpr std::array<bool, 256> make_tchar_table() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}

constexpr std::array<bool, 256> kTchar = make_tchar_table();

bool parse_decimal(std::string_view s, size_t& out) {
  if (s.empty()) return false;
  size_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    size_t d = static_cast<size_t>(ch - '0');
    if (v > (std::numeric_limits<size_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

}  // namespace

bool is_tchar(unsigned char c) { return kTchar[c]; }

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

const char* parse_field_line(std::string_view line, std::string_view& name,
                             std::string_view& value) {
  if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) return "obsolete line folding";
  size_t i = 0;
  while (i < line.size() && kTchar[static_cast<unsigned char>(line[i])]) ++i;
  if (i == line.size() || line[i] != ':') {
    if (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
      return "whitespace between header name and colon";
    }
    return "invalid header name";
  }
  if (i == 0) return "empty header name";
  name = line.substr(0, i);
  std::string_view rest = line.substr(i + 1);
  // One pass with no early exit lets the compiler vectorize the check.
  bool bad = false;
  for (char ch : rest) bad |= !is_field_value_char(static_cast<unsigned char>(ch));
  if (bad) return "invalid character in header value";
  value = trim_ows(rest);
  return nullptr;
}

bool parse_content_length(std::string_view value, size_t& out) {
  bool have = false;
  size_t first = 0;
  while (true) {
    size_t comma = value.find(',');
    size_t v = 0;
    if (!parse_decimal(trim_ows(value.substr(0, comma)), v)) return false;
    if (have && v != first) return false;
    first = v;
    have = true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  out = first;
  return true;
}

}  // namespace ringgate::protocol::http_syntax
