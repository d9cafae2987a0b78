#include "protocol/admin_query.h"

#include <charconv>

namespace ringgate::protocol {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding and '+' as space, as forms and URLSearchParams encode. False for a broken
// escape or a control byte.
bool decode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_digit(in[i + 1]), lo = hex_digit(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = char(hi * 16 + lo);
      i += 2;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    out.push_back(c);
  }
  return true;
}

template <class T>
bool number(std::string_view s, T& out) {
  if (s.empty() || s.size() > 19) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool refuse(std::string& error, std::string_view name, std::string_view why) {
  error.assign("query parameter '").append(name).append("' ").append(why);
  return false;
}

bool apply(AdminQuery& q, std::string_view name, const std::string& value, unsigned& seen,
           std::string& error) {
  static constexpr std::string_view kNames[] = {"since", "key", "model", "limit", "before"};
  unsigned bit = 0;
  while (bit < 5 && kNames[bit] != name) ++bit;
  if (bit == 5) {
    error = "unknown query parameter; /admin/requests takes since, key, model, limit, before";
    return false;
  }
  if (seen & (1u << bit)) return refuse(error, name, "is given twice");
  seen |= 1u << bit;
  if (bit == 1 || bit == 2) {
    if (value.empty() || value.size() > AdminQuery::kMaxId)
      return refuse(error, name, "must be 1 to 128 bytes");
    (bit == 1 ? q.key : q.model) = value;
    return true;
  }
  if (bit == 0) {
    int64_t v = 0;
    if (!number(value, v) || v < 0) return refuse(error, name, "must be unix seconds");
    q.since = v;
  } else if (bit == 3) {
    uint32_t v = 0;
    if (!number(value, v) || v < 1 || v > AdminQuery::kMaxLimit)
      return refuse(error, name, "must be a whole number from 1 to 200");
    q.limit = v;
  } else {
    uint64_t v = 0;
    if (!number(value, v)) return refuse(error, name, "must be a cursor from next_before");
    q.before = v;
  }
  return true;
}

}  // namespace

std::optional<AdminQuery> parse_admin_query(std::string_view query, std::string& error) {
  AdminQuery q;
  unsigned seen = 0;
  std::string name, value;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2", a trailing '&'
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      error = "query parameters are name=value pairs";
      return std::nullopt;
    }
    if (!decode(pair.substr(0, eq), name) || !decode(pair.substr(eq + 1), value)) {
      error = "query string has a broken percent-escape or a control character";
      return std::nullopt;
    }
    if (!apply(q, name, value, seen, error)) return std::nullopt;
  }
  return q;
}

}  // namespace ringgate::protocol
