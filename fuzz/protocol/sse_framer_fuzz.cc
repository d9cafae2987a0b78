// Invariants: the events (fields and raw bytes), the drops and their places among the events are
// the same however the stream is split; buffered bytes never exceed the cap; events inside one feed are views into it.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/protocol/fuzz_split.h"
#include "protocol/sse_framer.h"

namespace {

using namespace ringgate::protocol;

constexpr size_t kMaxEvent = 512;

struct Outcome {
  std::vector<std::string> fields;  // event, data, id, raw per event; a marker per drop
  uint64_t dropped = 0;
  size_t buffered = 0;
  bool operator==(const Outcome&) const = default;
};

Outcome frame(std::string_view input, const std::vector<size_t>& cuts) {
  SseFramer framer(kMaxEvent);
  Outcome o;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  size_t from = 0;
  for (size_t end : ends) {
    std::string chunk(input.substr(from, end - from));
    from = end;
    framer.feed(chunk, [&](const SseEvent& e) {
      if (e.raw.size() > kMaxEvent) std::abort();
      o.fields.emplace_back(e.event);
      o.fields.emplace_back(e.data);
      o.fields.emplace_back(e.id);
      o.fields.emplace_back(e.raw);
    }, [&] { o.fields.emplace_back("\xff<dropped>"); });
    if (framer.buffered_bytes() > kMaxEvent) std::abort();
  }
  o.dropped = framer.dropped_events();
  o.buffered = framer.buffered_bytes();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view data(reinterpret_cast<const char*>(bytes), size);
  const Outcome whole = frame(data, {});
  if (frame(data, ringgate::fuzz::cuts_for(data)) != whole) std::abort();
  if (size <= 4096 && frame(data, ringgate::fuzz::every_byte(data)) != whole) std::abort();
  // Whole-chunk delivery is zero-copy: raw must point into the fed buffer.
  SseFramer framer(kMaxEvent);
  std::string chunk(data);
  framer.feed(chunk, [&](const SseEvent& e) {
    if (e.raw.data() < chunk.data() || e.raw.data() + e.raw.size() > chunk.data() + chunk.size()) {
      std::abort();
    }
  });
  return 0;
}
