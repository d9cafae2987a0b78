#include "bench/load/body_template.h"

#include <charconv>

namespace ringgate::bench {

BodyTemplate::BodyTemplate(std::string_view text) : text_(text) {
  constexpr std::string_view kSeq = "{{seq}}";
  constexpr std::string_view kRand = "{{rand}}";
  size_t literal_start = 0;
  size_t pos = 0;
  auto flush_literal = [&](size_t end) {
    if (end > literal_start) {
      segments_.push_back({Kind::kLiteral, static_cast<uint32_t>(literal_start),
                           static_cast<uint32_t>(end - literal_start)});
    }
  };
  while ((pos = text_.find("{{", pos)) != std::string::npos) {
    const std::string_view rest = std::string_view(text_).substr(pos);
    Kind kind;
    size_t length;
    if (rest.starts_with(kSeq)) {
      kind = Kind::kSeq;
      length = kSeq.size();
    } else if (rest.starts_with(kRand)) {
      kind = Kind::kRand;
      length = kRand.size();
    } else {
      ++pos;  // "{{{seq}}" holds a placeholder one brace later
      continue;
    }
    flush_literal(pos);
    segments_.push_back({kind, 0, 0});
    ++placeholders_;
    pos += length;
    literal_start = pos;
  }
  flush_literal(text_.size());
}

void BodyTemplate::render(uint64_t seq, uint64_t rand, std::string& out) const {
  for (const Segment& segment : segments_) {
    switch (segment.kind) {
      case Kind::kLiteral:
        out.append(text_, segment.offset, segment.length);
        break;
      case Kind::kSeq: {
        char digits[20];
        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, seq);
        out.append(digits, end);
        break;
      }
      case Kind::kRand: {
        static constexpr char kHex[] = "0123456789abcdef";
        char hex[16];
        for (int i = 15; i >= 0; --i, rand >>= 4) hex[i] = kHex[rand & 0xf];
        out.append(hex, sizeof hex);
        break;
      }
    }
  }
}

}  // namespace ringgate::bench
