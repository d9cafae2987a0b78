// assemble_openai_chat_stream / assemble_anthropic_message_stream on arbitrary upstream bytes
// never crash, and whatever they assemble is a JSON object the replay accepts as stored.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "providers/cache_replay.h"
#include "providers/stream_assembly.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  using namespace ringgate::providers;
  const bool anthropic = data[0] & 1;
  const std::string_view sse(reinterpret_cast<const char*>(data + 1), size - 1);
  const AssembledAnswer a =
      anthropic ? assemble_anthropic_message_stream(sse) : assemble_openai_chat_stream(sse);
  if (!a.ok) return 0;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(a.body).get(doc) != simdjson::SUCCESS || !doc.is_object()) std::abort();
  const ReplayApi api = anthropic ? ReplayApi::kAnthropicMessages : ReplayApi::kOpenAiChat;
  if (!replay_json(a.body, api, api, {}).ok) std::abort();
  return 0;
}
