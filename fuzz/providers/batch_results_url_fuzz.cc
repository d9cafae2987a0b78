// Fuzzes the results_url rewrite of relayed batch answers: a JSON input must stay JSON, nothing
// but results_url values may change, and a second pass must find nothing left to rewrite.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/providers/fuzz_output_check.h"
#include "providers/batch_results_url.h"

using namespace ringgate::providers;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string out;
  if (!relative_results_urls(in, out)) return 0;
  if (out.size() >= in.size()) std::abort();  // only ever shortens
  std::string again;
  if (relative_results_urls(out, again)) std::abort();
  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(in.data(), in.size()).get(root) == simdjson::SUCCESS) fuzzing::require_json(out);
  return 0;
}
