#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::protocol {

// One server-sent event. Views are valid only during the callback that receives them.
struct SseEvent {
  std::string_view event;  // "" when the stream gave no event field (the spec's "message")
  std::string_view data;   // several data lines joined by '\n'
  std::string_view id;
  // The event's lines with their line endings, without the blank line that ended it.
  std::string_view raw;
};

// Splits an SSE stream (WHATWG HTML "event stream interpretation") into events across arbitrary
// read boundaries. An event lying wholly inside one fed chunk is delivered as views into that
// chunk; only an event spanning feeds is reassembled, and only up to max_event_bytes: a larger
// one is dropped (counted) instead of growing memory, and framing resumes at the next event.
// Blocks without a data line (comments such as ":ping", bare "event:" lines) are not delivered.
class SseFramer {
 public:
  explicit SseFramer(size_t max_event_bytes = 1 << 20) : max_event_bytes_(max_event_bytes) {}

  // Calls on_event(const SseEvent&) for each complete event, and on_drop() where an oversized
  // event is dropped, in stream order (a relay can end the stream right there instead of
  // passing the rest off as complete). A drop is reported once per event, as soon as it passes
  // the cap, before its end has arrived. Returns false when an event was dropped in this call.
  template <class F, class D>
  bool feed(std::string_view chunk, F&& on_event, D&& on_drop) {
    begin_feed(chunk);
    SseEvent event;
    for (Next n; (n = next_event(event)) != Next::kEnd;) {
      if (n == Next::kEvent) {
        on_event(static_cast<const SseEvent&>(event));
      } else {
        on_drop();
      }
    }
    return !dropped_in_feed_;
  }
  template <class F>
  bool feed(std::string_view chunk, F&& on_event) {
    return feed(chunk, static_cast<F&&>(on_event), [] {});
  }

  void reset();
  // Bytes of an incomplete event held from earlier feeds.
  size_t buffered_bytes() const { return pending_.size(); }
  uint64_t dropped_events() const { return dropped_events_; }

 private:
  enum class Next : uint8_t { kEnd, kEvent, kDropped };

  void begin_feed(std::string_view chunk);
  Next next_event(SseEvent& event);
  size_t find_blank_line();
  size_t find_line_end(size_t from);
  bool parse_block(std::string_view block, SseEvent& event);
  void drop_event();

  size_t max_event_bytes_;
  std::string_view chunk_;
  size_t pos_ = 0;
  size_t event_start_ = 0;
  size_t next_cr_ = 0;  // cached search results within chunk_
  size_t next_lf_ = 0;
  bool at_line_start_ = true;
  bool after_cr_ = false;  // last byte seen was CR: a following LF completes the same line end
  bool carrying_ = false;  // the current event began in an earlier feed
  bool skipping_ = false;  // the current event is being dropped for size
  bool pending_delivered_ = false;
  bool dropped_in_feed_ = false;
  uint64_t dropped_events_ = 0;
  std::string pending_;
  std::string joined_data_;
};

}  // namespace ringgate::protocol
