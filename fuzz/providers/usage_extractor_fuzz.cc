// Fuzzes UsageExtractor. Input: byte 0 picks the shape (low 3 bits, mod 5) and whether the body
// is a stream (bit 3); byte 1 seeds the read boundaries; the rest is the body. The body is
// extracted three times, whole, in pieces of a fixed size and in pseudo-random pieces, by
// extractors with small caps (so the oversized-event and oversized-body paths run) that are reused
// across inputs. Checked: no crash, every count within [0, Usage::kMaxTokenCount], names within
// their cap, nothing reported without a usage object, no cache writes in OpenAI shapes, and the
// same record whatever the split.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "providers/usage/usage_extractor.h"

namespace {

using ringgate::providers::Usage;
using ringgate::providers::UsageExtractor;
using ringgate::providers::UsageShape;

UsageExtractor::Limits small_limits() {
  UsageExtractor::Limits l;
  l.max_event_bytes = 512;
  l.max_body_bytes = 2048;
  l.tail_bytes = 256;
  return l;
}

void check_bounds(const Usage& u, UsageShape shape) {
  for (int64_t n : {u.input_tokens, u.output_tokens, u.cached_input_tokens, u.cache_creation_tokens,
                    u.reasoning_tokens}) {
    if (n < 0 || n > Usage::kMaxTokenCount) std::abort();
  }
  if (u.model.size() > Usage::kMaxNameBytes || u.finish_reason.size() > Usage::kMaxNameBytes) {
    std::abort();
  }
  if (!u.reported && (u.input_tokens | u.output_tokens | u.cached_input_tokens |
                      u.cache_creation_tokens | u.reasoning_tokens) != 0) {
    std::abort();
  }
  if (shape != UsageShape::kAnthropicMessages && u.cache_creation_tokens != 0) std::abort();
}

bool same(const Usage& a, const Usage& b) {
  return a.input_tokens == b.input_tokens && a.output_tokens == b.output_tokens &&
         a.cached_input_tokens == b.cached_input_tokens &&
         a.cache_creation_tokens == b.cache_creation_tokens &&
         a.reasoning_tokens == b.reasoning_tokens && a.reported == b.reported &&
         a.complete == b.complete && a.truncated == b.truncated && a.model == b.model &&
         a.finish_reason == b.finish_reason;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static UsageExtractor whole(small_limits()), fixed(small_limits()), random(small_limits());
  const UsageShape shape = static_cast<UsageShape>((data[0] & 7) % 5);
  const bool streamed = (data[0] & 8) != 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);

  whole.reset(shape, streamed);
  whole.feed(body);
  const Usage& a = whole.finish();
  check_bounds(a, shape);

  const size_t piece = 1 + data[1] % 64;
  fixed.reset(shape, streamed);
  for (size_t at = 0; at < body.size(); at += piece) fixed.feed(body.substr(at, piece));
  if (!same(a, fixed.finish())) std::abort();

  uint32_t state = 0x9E3779B9u ^ data[1];
  random.reset(shape, streamed);
  for (size_t at = 0; at < body.size();) {
    state = state * 1664525u + 1013904223u;
    const size_t n = 1 + (state >> 24) % 97;
    random.feed(body.substr(at, n));
    at += n;
  }
  if (!same(a, random.finish())) std::abort();
  return 0;
}
