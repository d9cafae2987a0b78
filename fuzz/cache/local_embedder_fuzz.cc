// LocalEmbedder on arbitrary bytes: never crashes, answers the same twice, and writes either a
// unit vector or all zeros (no features). The first byte picks the dimension (1..256).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "cache/local_embedder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t dim = size_t{data[0]} + 1;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  ringgate::cache::LocalEmbedder embedder(dim);
  std::vector<float> a(dim), b(dim);
  if (!embedder.embed_now(text, a) || !embedder.embed_now(text, b)) std::abort();
  if (a != b) std::abort();
  double sum = 0;
  for (float x : a) {
    if (!std::isfinite(x)) std::abort();
    sum += double{x} * x;
  }
  if (sum != 0 && std::fabs(sum - 1.0) > 1e-4) std::abort();
  std::vector<float> wrong(dim + 1);
  if (embedder.embed_now(text, wrong)) std::abort();  // wrong size is refused
  return 0;
}
