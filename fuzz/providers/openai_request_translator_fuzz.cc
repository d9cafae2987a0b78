// Fuzzes everything that reads an OpenAI-shaped body: request, response and error translation.
// Whatever is accepted must produce valid JSON, and a translated request must translate back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/providers/fuzz_output_check.h"
#include "providers/error_translator.h"
#include "providers/request_translator.h"
#include "providers/response_translator.h"

using namespace ringgate::providers;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  TranslateOptions options;
  options.default_max_tokens = 1024;
  auto request = openai_chat_to_anthropic(body, options);
  if (request.ok) {
    fuzzing::require_json(request.body);
    auto back = anthropic_to_openai_chat(request.body, options);
    if (!back.ok) std::abort();  // our own output must be acceptable input
    fuzzing::require_json(back.body);
  }
  auto response = openai_response_to_anthropic(body, ResponseOptions{});
  if (response.ok) fuzzing::require_json(response.body);
  fuzzing::require_json(openai_error_to_anthropic(400, body).body);
  return 0;
}
