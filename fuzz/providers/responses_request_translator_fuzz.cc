// Fuzzes the Responses request translation toward both upstream APIs. The input is a request
// body, optionally followed by a NUL byte and the stored prior items, and another NUL byte and
// the items its item_references name (a JSON object). Whatever is accepted must
// produce valid JSON (body, conversation_items, the echo members), and the conversation it
// would store must be accepted again as the next turn's prior items.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/providers/fuzz_output_check.h"
#include "providers/responses_request_translator.h"

using namespace ringgate::providers;

namespace {

using Translate = TranslateResult (*)(std::string_view, const TranslateOptions&);

void check(Translate translate, std::string_view body, const TranslateOptions& options) {
  const TranslateResult r = translate(body, options);
  if (!r.ok) return;
  fuzzing::require_json(r.body);
  fuzzing::require_json(r.conversation_items);
  if (!r.responses_echo.empty()) fuzzing::require_json("{" + r.responses_echo + "}");
  // The stored conversation, sent back as prior items of a turn that adds nothing.
  TranslateOptions next = options;
  next.prior_items = r.conversation_items;
  if (!translate(R"({"model":"m","input":[]})", next).ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  TranslateOptions options;
  options.default_max_tokens = 1024;
  options.reasoning_model = size % 2 == 0;
  options.use_max_completion_tokens = size % 3 == 0;
  const size_t nul = input.find('\0');
  std::string_view body = input.substr(0, nul);
  if (nul != std::string_view::npos) {
    const std::string_view rest = input.substr(nul + 1);
    const size_t second = rest.find('\0');
    options.prior_items = rest.substr(0, second);
    if (second != std::string_view::npos) options.referenced_items = rest.substr(second + 1);
  }
  check(responses_to_anthropic, body, options);
  check(responses_to_openai_chat, body, options);
  options.unsupported = UnsupportedFields::kRefuse;
  check(responses_to_anthropic, body, options);
  return 0;
}
