// parse_embedding_response on arbitrary bytes (an upstream's answer): never crashes, and what
// it accepts has exactly the asked-for number of finite values. The first byte picks dims (0..15).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cache/embedding_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t dims = data[0] % 16;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<float> out;
  std::string err;
  if (!ringgate::cache::parse_embedding_response(body, dims, out, err)) {
    if (err.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  if (out.size() != dims) std::abort();
  for (float x : out) {
    if (!std::isfinite(x)) std::abort();
  }
  return 0;
}
