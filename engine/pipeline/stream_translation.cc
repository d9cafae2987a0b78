#include "engine/pipeline/stream_translation.h"

#include "engine/pipeline/body_relay.h"

namespace ringgate::pipeline {

bool StreamTranslation::feed(std::string_view bytes, std::string& out) {
  framer_.feed(
      bytes,
      [&](const protocol::SseEvent& e) {
        if (!event_lost_) stream_.on_event(e.event, e.data, out);
      },
      [&] {
        // Translating on past the hole would hand the client a partial answer as a whole one:
        // the stream ends here with the client's error event.
        if (event_lost_) return;
        event_lost_ = true;
        stream_.fail(out, kSseEventTooLarge);
      });
  return !event_lost_;
}

}  // namespace ringgate::pipeline
