// Invariant: request_target_problem agrees with a second, deliberately naive reading of its
// contract (decode the spellings once, split, compare each segment), on every input.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/request_target.h"

namespace {

// The path with %2e -> '.', and '\', %2f, %5c -> '/', each escape decoded once, left to right.
std::string decoded_path(std::string_view target) {
  std::string_view p = target.substr(0, target.find('?'));
  std::string out;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '%' && i + 2 < p.size()) {
      const char hi = p[i + 1], lo = static_cast<char>(p[i + 2] | 0x20);
      if ((hi == '2' && lo == 'e') || (hi == '2' && lo == 'f') || (hi == '5' && lo == 'c')) {
        out.push_back(lo == 'e' ? '.' : '/');
        i += 2;
        continue;
      }
    }
    out.push_back(p[i] == '\\' ? '/' : p[i]);
  }
  return out;
}

bool reference_refuses(std::string_view target) {
  if (target.find('#') != std::string_view::npos) return true;
  const std::string path = decoded_path(target);
  size_t start = 0;
  for (;;) {
    size_t end = path.find('/', start);
    std::string_view seg = std::string_view(path).substr(start, end - start);
    seg = seg.substr(0, seg.find(';'));
    if (seg == "." || seg == "..") return true;
    if (end == std::string::npos) return false;
    start = end + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view target(reinterpret_cast<const char*>(bytes), size);
  const bool refused = ringgate::protocol::request_target_problem(target) != nullptr;
  if (refused != reference_refuses(target)) std::abort();
  return 0;
}
