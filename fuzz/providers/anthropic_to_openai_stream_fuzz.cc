// Fuzzes the AnthropicToOpenAiStream translator (see stream_fuzz_driver.h for the framing and the
// checks).
#include "fuzz/providers/stream_fuzz_driver.h"
#include "providers/anthropic_to_openai_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ringgate::providers::fuzzing::fuzz_stream_translator<
      ringgate::providers::AnthropicToOpenAiStream>(data, size);
}
