// semantic_prompt_text on arbitrary bytes (a client's body): never crashes, never returns more
// than max_bytes, and what it accepts always holds a user turn. The first byte picks max_bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cache/semantic_prompt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t max_bytes = size_t(data[0]) * 16;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto text = ringgate::cache::semantic_prompt_text(body, max_bytes);
  if (!text) return 0;
  if (text->size() > max_bytes || text->find("user: ") == std::string_view::npos) std::abort();
  return 0;
}
