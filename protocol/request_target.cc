#include "protocol/request_target.h"

#include <cstddef>

namespace ringgate::protocol {

namespace {

// "%" hi lo at p[i], lo compared case-insensitively (lo given in lower case).
bool escape_at(std::string_view p, size_t i, char hi, char lo) {
  return i + 2 < p.size() && p[i] == '%' && p[i + 1] == hi && (p[i + 2] | 0x20) == lo;
}

// Length of the segment separator at p[i], 0 when there is none there.
size_t separator_at(std::string_view p, size_t i) {
  if (p[i] == '/' || p[i] == '\\') return 1;
  if (escape_at(p, i, '2', 'f') || escape_at(p, i, '5', 'c')) return 3;
  return 0;
}

bool has_dot_segment(std::string_view path) {
  size_t dots = 0;
  bool only_dots = true;  // nothing but dots so far in this segment (before any ';')
  bool in_params = false;
  for (size_t i = 0; i <= path.size();) {
    const size_t sep = i == path.size() ? 1 : separator_at(path, i);
    if (sep != 0) {
      if (only_dots && (dots == 1 || dots == 2)) return true;
      dots = 0;
      only_dots = true;
      in_params = false;
      i += sep;
    } else if (in_params) {
      ++i;
    } else if (path[i] == ';') {
      in_params = true;
      ++i;
    } else if (path[i] == '.') {
      ++dots;
      ++i;
    } else if (escape_at(path, i, '2', 'e')) {
      ++dots;
      i += 3;
    } else {
      only_dots = false;
      ++i;
    }
  }
  return false;
}

}  // namespace

const char* request_target_problem(std::string_view target) {
  if (target.find('#') != std::string_view::npos) return "fragment in request target";
  if (has_dot_segment(target.substr(0, target.find('?')))) {
    return "dot segment in request target path";
  }
  return nullptr;
}

}  // namespace ringgate::protocol
