// Embedder: the inline fallback of submit() and the deadline clock.
#include "cache/embedder.h"

#include <chrono>
#include <vector>

namespace ringgate::cache {

bool Embedder::submit(std::string text, int64_t /*deadline_ms*/, EmbedCallback callback) {
  std::vector<float> out(dim());
  const bool ok = embed_now(text, out);
  callback(ok, ok ? std::span<const float>(out) : std::span<const float>());
  return true;
}

int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace ringgate::cache
