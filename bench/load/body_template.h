#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ringgate::bench {

// A request body with per-request placeholders: `{{seq}}` becomes the request's sequence number
// (unique across the run, so every request misses a cache) and `{{rand}}` 16 random hex digits.
// A body without placeholders renders to itself, so identical requests can exercise caches.
class BodyTemplate {
 public:
  BodyTemplate() = default;
  explicit BodyTemplate(std::string_view text);

  bool has_placeholders() const { return placeholders_ > 0; }
  const std::string& text() const { return text_; }

  // Appends the rendered body to `out`; reuses out's capacity, so rendering into a reserved
  // buffer does not allocate.
  void render(uint64_t seq, uint64_t rand, std::string& out) const;

 private:
  enum class Kind : uint8_t { kLiteral, kSeq, kRand };
  struct Segment {
    Kind kind;
    uint32_t offset;  // into text_, for literals
    uint32_t length;
  };
  std::string text_;
  std::vector<Segment> segments_;
  int placeholders_ = 0;
};

}  // namespace ringgate::bench
