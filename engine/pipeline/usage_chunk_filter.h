// An OpenAI stream whose usage the gateway asked for (stream_options.include_usage) although the
// client did not: the extra final chunk (`choices: []` with the usage) is the accounting copy's,
// not the client's, so it is left out of what the client gets. Every other byte goes on exactly
// as it came, whole events at a time, as the whole-events relay sends them. A BodyRelay
// transform, so the upstream tap still reads the chunk.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "engine/pipeline/body_transform.h"
#include "protocol/sse_boundary.h"

namespace ringgate::pipeline {

class UsageChunkFilter final : public BodyTransform {
 public:
  // `json`: the shard's parser, which nothing else holds a document of once the body relays.
  UsageChunkFilter(simdjson::dom::parser& json, size_t max_event_bytes)
      : json_(json), scan_(max_event_bytes) {}

  bool feed(std::string_view bytes, std::string& out) override;
  // The upstream ended: an unfinished last event goes out as it is, as on the whole-events path.
  void finish(std::string& out) override;
  void fail(std::string& out, const char* why) override;

  // The test of one event's data: a chunk that has no choices and a usage object.
  static bool is_usage_only_chunk(simdjson::dom::parser& json, std::string_view data);

 private:
  // Whole events: the usage-only chunk among them is dropped, the rest appended as they are.
  void pass_events(std::string_view events, std::string& out);

  simdjson::dom::parser& json_;
  protocol::SseBoundaryScanner scan_;
  std::string pending_;  // the unfinished event, until its blank line
  bool broken_ = false;  // the client already got its error event
};

}  // namespace ringgate::pipeline
