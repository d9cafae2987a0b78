// Fuzzes the non-streaming translation of Anthropic and chat answers into Responses objects:
// whatever is accepted must be valid JSON, and so must its output items.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/providers/fuzz_output_check.h"
#include "providers/responses_response_translator.h"

using namespace ringgate::providers;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  ResponseOptions options;
  options.created = 1700000000;
  options.id = size % 2 ? "resp_fuzz" : "";
  options.custom_tools = "apply_patch,shell";
  options.response_format_tool = size % 3 ? "answer" : "";
  options.responses_echo = R"("instructions":"x","store":false)";
  for (auto translate : {anthropic_response_to_responses, chat_response_to_responses}) {
    const TranslateResult r = translate(body, options);
    if (!r.ok) continue;
    fuzzing::require_json(r.body);
    fuzzing::require_json(r.output_items);
  }
  return 0;
}
