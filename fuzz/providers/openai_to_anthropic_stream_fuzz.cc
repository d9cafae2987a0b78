// Fuzzes the OpenAiToAnthropicStream translator (see stream_fuzz_driver.h for the framing and the
// checks).
#include "fuzz/providers/stream_fuzz_driver.h"
#include "providers/openai_to_anthropic_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ringgate::providers::fuzzing::fuzz_stream_translator<
      ringgate::providers::OpenAiToAnthropicStream>(data, size);
}
