#include "protocol/sse_framer.h"

#include <cstring>
#include <limits>

namespace ringgate::protocol {

namespace {
constexpr size_t kNotSearched = std::numeric_limits<size_t>::max();
constexpr size_t kNone = std::numeric_limits<size_t>::max();
}  // namespace

void SseFramer::reset() {
  chunk_ = {};
  pos_ = event_start_ = 0;
  next_cr_ = next_lf_ = kNotSearched;
  at_line_start_ = true;
  after_cr_ = carrying_ = skipping_ = pending_delivered_ = dropped_in_feed_ = false;
  dropped_events_ = 0;
  pending_.clear();
  joined_data_.clear();
}

void SseFramer::begin_feed(std::string_view chunk) {
  if (pending_delivered_) {
    pending_.clear();
    pending_delivered_ = false;
  }
  chunk_ = chunk;
  pos_ = 0;
  next_cr_ = next_lf_ = kNotSearched;
  dropped_in_feed_ = false;
}

void SseFramer::drop_event() {
  ++dropped_events_;
  dropped_in_feed_ = true;
}

// CR is rare in real streams, so the result of each memchr is cached: positions only move forward
// within a chunk, and a cached hit at or after `from` is still the first one.
size_t SseFramer::find_line_end(size_t from) {
  const size_t n = chunk_.size();
  const char* base = chunk_.data();
  if (next_lf_ == kNotSearched || next_lf_ < from) {
    const void* p = std::memchr(base + from, '\n', n - from);
    next_lf_ = p ? static_cast<size_t>(static_cast<const char*>(p) - base) : n;
  }
  if (next_cr_ == kNotSearched || next_cr_ < from) {
    const void* p = std::memchr(base + from, '\r', n - from);
    next_cr_ = p ? static_cast<size_t>(static_cast<const char*>(p) - base) : n;
  }
  return next_lf_ < next_cr_ ? next_lf_ : next_cr_;
}

// Advances pos_ through chunk_ until the blank line that ends the current event; returns the
// index of that blank line's first byte, or kNone when the chunk ends first.
size_t SseFramer::find_blank_line() {
  const size_t n = chunk_.size();
  while (pos_ < n) {
    if (after_cr_) {
      after_cr_ = false;
      if (chunk_[pos_] == '\n') {
        ++pos_;
        continue;
      }
    }
    const char c = chunk_[pos_];
    if (at_line_start_ && (c == '\r' || c == '\n')) {
      after_cr_ = c == '\r';
      return pos_++;
    }
    at_line_start_ = false;
    const size_t end = find_line_end(pos_);
    if (end >= n) {
      pos_ = n;
      return kNone;
    }
    at_line_start_ = true;
    after_cr_ = chunk_[end] == '\r';
    pos_ = end + 1;
  }
  return kNone;
}

SseFramer::Next SseFramer::next_event(SseEvent& event) {
  if (pending_delivered_) {
    pending_.clear();
    pending_delivered_ = false;
  }
  const size_t n = chunk_.size();
  while (true) {
    if (!carrying_) {
      if (after_cr_ && pos_ < n && chunk_[pos_] == '\n') {
        ++pos_;
        after_cr_ = false;
      }
      if (pos_ >= n) return Next::kEnd;
      event_start_ = pos_;
    }
    const size_t start = carrying_ ? 0 : event_start_;
    const size_t blank = find_blank_line();
    if (blank == kNone) {
      carrying_ = true;
      if (skipping_) return Next::kEnd;
      pending_.append(chunk_.data() + start, n - start);
      if (pending_.size() <= max_event_bytes_) return Next::kEnd;
      drop_event();
      skipping_ = true;
      pending_.clear();
      return Next::kDropped;  // the next call finds pos_ at the end: kEnd
    }
    std::string_view block;
    const bool from_pending = carrying_;
    if (carrying_) {
      carrying_ = false;
      if (skipping_) {
        skipping_ = false;
        continue;
      }
      pending_.append(chunk_.data(), blank);
      block = pending_;
    } else {
      block = chunk_.substr(start, blank - start);
    }
    const bool oversized = block.size() > max_event_bytes_;
    const bool deliver = !oversized && parse_block(block, event);
    if (from_pending) {
      if (deliver) {
        pending_delivered_ = true;
      } else {
        pending_.clear();
      }
    }
    if (oversized) {
      drop_event();
      return Next::kDropped;
    }
    if (deliver) return Next::kEvent;
  }
}

bool SseFramer::parse_block(std::string_view block, SseEvent& event) {
  event = SseEvent{};
  event.raw = block;
  size_t data_lines = 0;
  const char* base = block.data();
  const size_t n = block.size();
  size_t i = 0;
  while (i < n) {
    const void* lf = std::memchr(base + i, '\n', n - i);
    const size_t lf_pos = lf ? static_cast<size_t>(static_cast<const char*>(lf) - base) : n;
    const void* cr = std::memchr(base + i, '\r', lf_pos - i);
    const size_t end = cr ? static_cast<size_t>(static_cast<const char*>(cr) - base) : lf_pos;
    std::string_view line = block.substr(i, end - i);
    i = end + 1;
    if (end < n && base[end] == '\r' && i < n && base[i] == '\n') ++i;
    if (line.empty() || line[0] == ':') continue;
    const size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    std::string_view value =
        colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    if (name == "data") {
      if (data_lines == 0) {
        event.data = value;
      } else {
        if (data_lines == 1) joined_data_.assign(event.data);
        joined_data_.push_back('\n');
        joined_data_.append(value);
        event.data = joined_data_;
      }
      ++data_lines;
    } else if (name == "event") {
      event.event = value;
    } else if (name == "id") {
      if (value.find('\0') == std::string_view::npos) event.id = value;
    }
  }
  return data_lines > 0;
}

}  // namespace ringgate::protocol
