#include "protocol/sse_boundary.h"

#include <cstring>

namespace ringgate::protocol {

void SseBoundaryScanner::reset(size_t max_event_bytes) {
  max_event_bytes_ = max_event_bytes;
  event_bytes_ = 0;
  state_ = State::kLineStart;
  oversized_ = false;
}

size_t SseBoundaryScanner::feed(std::string_view bytes) {
  if (oversized_) return 0;
  const char* p = bytes.data();
  const size_t n = bytes.size();
  size_t last_end = 0;            // end of the last boundary in this feed
  size_t event_from = 0;          // where the current event's bytes in this feed begin
  size_t held = event_bytes_;     // its bytes from earlier feeds
  size_t i = 0;
  while (i < n) {
    if (state_ == State::kInLine) {
      // Inside a line only its end matters: memchr skips the rest at memory speed.
      const void* lf = std::memchr(p + i, '\n', n - i);
      if (!lf) break;
      i = size_t(static_cast<const char*>(lf) - p) + 1;
      state_ = State::kLineStart;
      continue;
    }
    const char c = p[i++];
    if (c == '\n') {
      const size_t blank_line = state_ == State::kLineStartCr ? 2 : 1;
      if (held + (i - event_from) - blank_line > max_event_bytes_) {
        oversized_ = true;
        return last_end;
      }
      last_end = event_from = i;
      held = 0;
      state_ = State::kLineStart;
    } else if (c == '\r' && state_ == State::kLineStart) {
      state_ = State::kLineStartCr;
    } else {
      state_ = State::kInLine;
    }
  }
  event_bytes_ = held + (n - event_from);
  if (over_cap(event_bytes_)) oversized_ = true;
  return last_end;
}

}  // namespace ringgate::protocol
