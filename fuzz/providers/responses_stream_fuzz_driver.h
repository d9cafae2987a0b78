// The shared body of the two Responses stream fuzz targets: the input is framed as SSE and fed
// in pieces (the first input byte picks the piece size and the options), like
// stream_fuzz_driver.h. Every emitted event must be well formed: JSON data whose "type" is the
// event's name, sequence numbers 0, 1, 2, ... in order, and exactly one terminal event, last.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/sse_framer.h"
#include "providers/translation_types.h"

namespace ringgate::providers::fuzzing {

inline void require_responses_events(std::string_view text) {
  static simdjson::dom::parser parser;  // our own: the translators use thread-local ones
  protocol::SseFramer framer;
  int64_t expected_sequence = 0;
  bool ended = false;
  framer.feed(text, [&](const protocol::SseEvent& e) {
    simdjson::dom::element root;
    std::string_view type;
    int64_t sequence = -1;
    if (ended || parser.parse(e.data.data(), e.data.size()).get(root)) std::abort();
    if (root["type"].get_string().get(type) || type != e.event) std::abort();
    if (root["sequence_number"].get_int64().get(sequence) || sequence != expected_sequence) {
      std::abort();
    }
    ++expected_sequence;
    ended =
        type == "response.completed" || type == "response.incomplete" || type == "response.failed";
  });
  if (!ended || text.substr(text.size() - 2) != "\n\n") std::abort();
}

template <class ResponsesStream>
int fuzz_responses_stream(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  StreamOptions options;
  options.id = "resp_fuzz";
  options.created = 1;
  options.response_format_tool = "answer";
  options.custom_tools = "apply_patch,shell";
  if (data[0] & 0x80) options.responses_echo = R"("instructions":"x","store":false)";
  ResponsesStream stream(options);
  protocol::SseFramer framer(1 << 16);
  std::string out;
  for (size_t at = 0; at < input.size(); at += piece) {
    framer.feed(input.substr(at, piece),
                [&](const protocol::SseEvent& e) { stream.on_event(e.event, e.data, out); });
  }
  stream.finish(out);
  if (!stream.done()) std::abort();
  require_responses_events(out);
  if (!stream.output_items().empty()) {
    static simdjson::dom::parser parser;
    simdjson::dom::element items;
    const std::string& text = stream.output_items();
    if (parser.parse(text.data(), text.size()).get(items)) std::abort();
  }
  return 0;
}

}  // namespace ringgate::providers::fuzzing
