// Fuzzes the tool-call history repair of both APIs. Whatever it writes must be JSON, must need no
// second repair (the policy is a fixed point), and its header must stay one bounded header line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz/providers/fuzz_output_check.h"
#include "providers/tool_history_repair.h"

using namespace ringgate::providers;

namespace {

void check(ToolHistoryRepair (*repair)(simdjson::dom::element), simdjson::dom::element root) {
  const ToolHistoryRepair r = repair(root);
  if (r.repaired != !r.header.empty()) std::abort();
  if (!r.repaired) return;
  if (r.header.size() > kMaxHeaderBytes) std::abort();
  for (char c : r.header) {
    if (c < 0x20 || c > 0x7e) std::abort();  // printable ASCII: a valid header value
  }
  fuzzing::require_json(r.body);
  static simdjson::dom::parser again;
  simdjson::dom::element repaired;
  if (again.parse(r.body).get(repaired)) std::abort();
  if (repair(repaired).repaired) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(reinterpret_cast<const char*>(data), size).get(root)) return 0;
  check(repair_chat_tool_history, root);
  check(repair_messages_tool_history, root);
  return 0;
}
