#pragma once

// Output checks shared by the providers fuzz targets: anything a translator emits must parse.

#include <simdjson.h>

#include <cstdlib>
#include <string_view>

#include "protocol/sse_framer.h"

namespace ringgate::providers::fuzzing {

inline void require_json(std::string_view text) {
  // A parser of our own: the translators use thread-local ones internally.
  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size()).get(root)) std::abort();
}

// Every event must carry JSON data or [DONE]; [DONE] must be the last event, at most once.
inline void require_sse(std::string_view text) {
  protocol::SseFramer framer;
  bool done_seen = false;
  framer.feed(text, [&](const protocol::SseEvent& e) {
    if (done_seen) std::abort();
    if (e.data == "[DONE]") {
      done_seen = true;
      return;
    }
    require_json(e.data);
  });
  // The translators always end their frames with a blank line.
  if (!text.empty() && text.substr(text.size() - 2) != "\n\n") std::abort();
}

}  // namespace ringgate::providers::fuzzing
