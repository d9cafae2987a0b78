#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ringgate::protocol {

// Finds SSE event boundaries in a stream fed in arbitrary pieces, for a relay that forwards
// whole events without parsing them. A boundary is a blank line: LF or CRLF right after a line
// end (so "\n\n", "\r\n\r\n" and the mixed "\r\n\n", "\n\r\n"); a lone CR is not a line end here
// (no upstream API sends CR-only streams). Each byte is looked at once, in the feed that brings
// it, whatever was held before: the work per stream is linear in its size.
//
// An event's size is that of its lines with their line endings, without the blank line that ends
// it (SseFramer's SseEvent::raw), so one cap means the same on the relay and the framer paths.
class SseBoundaryScanner {
 public:
  explicit SseBoundaryScanner(size_t max_event_bytes = 1 << 20)
      : max_event_bytes_(max_event_bytes) {}

  // Scans the next bytes of the stream. Returns how many leading bytes of `bytes` end at the last
  // boundary among them (0: none). Once an event exceeds the cap, returns the end of the last
  // boundary before that event; oversized() holds from then on and later feeds return 0.
  size_t feed(std::string_view bytes);

  bool oversized() const { return oversized_; }
  // Bytes after the last boundary (the unfinished event), across feeds.
  size_t pending_bytes() const { return event_bytes_; }
  void reset(size_t max_event_bytes);

 private:
  enum class State : uint8_t { kInLine, kLineStart, kLineStartCr };

  // The current event, `bytes` long so far, went over the cap (a trailing CR may begin its blank
  // line, so it is not counted yet).
  bool over_cap(size_t bytes) const {
    return bytes - (state_ == State::kLineStartCr ? 1 : 0) > max_event_bytes_;
  }

  size_t max_event_bytes_;
  size_t event_bytes_ = 0;
  State state_ = State::kLineStart;  // a stream starts at a line start
  bool oversized_ = false;
};

}  // namespace ringgate::protocol
