// Differential fuzzing of StreamedStringField: the input is JSON text fed in pieces (the first
// byte picks the piece size). Whenever the decoder finishes the "input" member without failing
// over and simdjson parses the text, both must find the same string.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "providers/streamed_string_field.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] % 16;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  ringgate::providers::StreamedStringField field;
  std::string decoded;
  for (size_t at = 0; at < input.size(); at += piece) field.feed(input.substr(at, piece), decoded);
  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view expected;
  if (!field.ok() || !field.complete()) return 0;
  if (parser.parse(input.data(), input.size()).get(root)) return 0;
  if (root["input"].get_string().get(expected)) std::abort();  // parsed, yet no string member
  if (expected != decoded) std::abort();
  return 0;
}
