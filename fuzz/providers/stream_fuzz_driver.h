// The shared body of the two stream-translator fuzz targets: the input is framed as SSE and fed
// in pieces (the first input byte picks the piece size, so read boundaries fall everywhere).
// Every emitted frame must be JSON or [DONE], [DONE] at most once and last.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/providers/fuzz_output_check.h"
#include "protocol/sse_framer.h"
#include "providers/translation_types.h"

namespace ringgate::providers::fuzzing {

template <class StreamTranslator>
int fuzz_stream_translator(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  ringgate::providers::StreamOptions options;
  options.include_usage = (data[0] & 0x80) != 0;
  options.response_format_tool = "answer";
  options.created = 1;
  StreamTranslator stream(options);
  ringgate::protocol::SseFramer framer(1 << 16);
  std::string out;
  for (size_t at = 0; at < input.size(); at += piece) {
    framer.feed(input.substr(at, piece), [&](const ringgate::protocol::SseEvent& e) {
      stream.on_event(e.event, e.data, out);
    });
  }
  stream.finish(out);
  if (!stream.done()) std::abort();
  require_sse(out);
  return 0;
}

}  // namespace ringgate::providers::fuzzing
