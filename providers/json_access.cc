#include "providers/json_access.h"

namespace ringgate::providers::json {

simdjson::dom::parser& thread_parser(ParserSlot slot) {
  // Reused across requests so a warmed-up shard parses without allocating.
  thread_local simdjson::dom::parser parsers[static_cast<int>(ParserSlot::kCount)];
  return parsers[static_cast<int>(slot)];
}

}  // namespace ringgate::providers::json
