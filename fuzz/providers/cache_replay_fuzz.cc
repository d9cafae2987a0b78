// replay_json / replay_sse on arbitrary stored bytes in every (stored, client) API pair never
// crash, and whenever they succeed the output is well formed: JSON parses, and the SSE stream is
// `\n\n`-terminated frames whose data lines parse as JSON (or are [DONE]), ending the stream the
// way the client's API ends it.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "providers/cache_replay.h"

namespace {

using ringgate::providers::ReplayApi;

void check_sse(std::string_view sse, ReplayApi client) {
  simdjson::dom::parser parser;
  const std::string_view last = client == ReplayApi::kOpenAiChat
                                    ? "data: [DONE]\n\n"
                                    : "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  if (!sse.ends_with(last)) std::abort();
  while (!sse.empty()) {
    const size_t end = sse.find("\n\n");
    if (end == std::string_view::npos) std::abort();
    std::string_view frame = sse.substr(0, end);
    sse.remove_prefix(end + 2);
    const size_t data = frame.find("data: ");
    if (data == std::string_view::npos) std::abort();
    const std::string_view payload = frame.substr(data + 6);
    if (payload.find('\n') != std::string_view::npos) std::abort();
    if (payload != "[DONE]" && parser.parse(payload).error()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const ReplayApi stored = data[0] & 1 ? ReplayApi::kAnthropicMessages : ReplayApi::kOpenAiChat;
  const ReplayApi client = data[0] & 2 ? ReplayApi::kAnthropicMessages : ReplayApi::kOpenAiChat;
  ringgate::providers::ReplayOptions options;
  options.created = 1;
  options.include_usage = data[0] & 4;
  options.delta_bytes = 1 + (data[0] >> 3);
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto json = ringgate::providers::replay_json(body, stored, client, options);
  simdjson::dom::parser parser;
  if (json.ok && parser.parse(json.body).error()) std::abort();
  auto sse = ringgate::providers::replay_sse(body, stored, client, options);
  if (sse.ok) check_sse(sse.body, client);
  return 0;
}
