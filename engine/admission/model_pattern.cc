#include "engine/admission/model_pattern.h"

namespace ringgate::admission {

// Greedy with one backtrack point (the last `*`): linear in practice, never exponential.
bool glob_match(std::string_view pattern, std::string_view name) {
  size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool any_pattern_matches(std::span<const std::string> patterns, std::string_view name) {
  if (patterns.empty()) return true;
  for (const std::string& p : patterns) {
    if (glob_match(p, name)) return true;
  }
  return false;
}

}  // namespace ringgate::admission
