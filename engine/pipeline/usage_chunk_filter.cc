#include "engine/pipeline/usage_chunk_filter.h"

#include <cstring>

#include "engine/pipeline/body_relay.h"
#include "protocol/api_error.h"
#include "protocol/sse_framer.h"

namespace ringgate::pipeline {

namespace {

bool has_usage(std::string_view bytes) {
  return memmem(bytes.data(), bytes.size(), "\"usage\"", 7) != nullptr;
}

// Where the event starting at `from` ends, its blank line included (events holds whole ones).
size_t event_end(std::string_view events, size_t from) {
  bool line_start = true;
  for (size_t i = from; i < events.size(); ++i) {
    const char c = events[i];
    if (c == '\n') {
      if (line_start) return i + 1;
      line_start = true;
    } else if (c == '\r' && i + 1 < events.size() && events[i + 1] == '\n') {
      if (line_start) return i + 2;
      line_start = true;
      ++i;
    } else {
      line_start = false;
    }
  }
  return events.size();
}

}  // namespace

bool UsageChunkFilter::is_usage_only_chunk(simdjson::dom::parser& json, std::string_view data) {
  if (!has_usage(data)) return false;
  simdjson::dom::element chunk;
  if (json.parse(data.data(), data.size(), true).get(chunk) != simdjson::SUCCESS) return false;
  simdjson::dom::array choices;
  simdjson::dom::object usage;
  return chunk["choices"].get(choices) == simdjson::SUCCESS && choices.size() == 0 &&
         chunk["usage"].get(usage) == simdjson::SUCCESS;
}

void UsageChunkFilter::pass_events(std::string_view events, std::string& out) {
  if (!has_usage(events)) {  // every chunk but the last: one memmem, then a copy
    out.append(events);
    return;
  }
  for (size_t at = 0; at < events.size();) {
    const size_t end = event_end(events, at);
    const std::string_view event = events.substr(at, end - at);
    bool usage_only = false;
    if (has_usage(event)) {
      protocol::SseFramer framer(event.size());
      framer.feed(event, [&](const protocol::SseEvent& e) {
        usage_only = is_usage_only_chunk(json_, e.data);
      });
    }
    if (!usage_only) out.append(event);
    at = end;
  }
}

bool UsageChunkFilter::feed(std::string_view bytes, std::string& out) {
  if (broken_) return false;
  const size_t whole = scan_.feed(bytes);
  if (whole > 0) {
    pending_.append(bytes.substr(0, whole));
    pass_events(pending_, out);
    pending_.clear();
  }
  if (scan_.oversized()) {
    fail(out, kSseEventTooLarge);
    return false;
  }
  pending_.append(bytes.substr(whole));
  return true;
}

void UsageChunkFilter::finish(std::string& out) {
  if (broken_) return;
  pass_events(pending_, out);
  pending_.clear();
}

void UsageChunkFilter::fail(std::string& out, const char* why) {
  if (broken_) return;
  broken_ = true;
  out += protocol::render_error_event({502, why, protocol::ErrorCode::kUpstreamStreamError},
                                      protocol::ApiFront::kOpenAi);
}

}  // namespace ringgate::pipeline
