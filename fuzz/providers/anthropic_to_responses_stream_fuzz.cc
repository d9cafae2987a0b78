// Fuzzes the AnthropicToResponsesStream translator (see responses_stream_fuzz_driver.h for the
// framing and the checks).
#include "fuzz/providers/responses_stream_fuzz_driver.h"
#include "providers/anthropic_to_responses_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ringgate::providers::fuzzing::fuzz_responses_stream<
      ringgate::providers::AnthropicToResponsesStream>(data, size);
}
