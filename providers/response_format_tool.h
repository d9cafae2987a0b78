#pragma once

// A JSON-schema answer format (chat's response_format json_schema, Responses' text.format
// json_schema) toward Anthropic, which has none: a tool whose input schema is the answer's schema,
// forced with tool_choice. The response translators turn that tool's input back into the answer
// text (TranslateResult::response_format_tool).

#include <simdjson.h>

#include <string>
#include <string_view>

#include "providers/json_writer.h"

namespace ringgate::providers {

// `spec` holds `name`, `description` and `schema`. Writes the "tools" and "tool_choice" members and
// sets `tool_name`. False when the schema is not an object schema (the only kind a tool input can
// be); `error` then says so.
bool write_schema_tool(JsonWriter& w, simdjson::dom::object spec, std::string& tool_name,
                       std::string& error);

}  // namespace ringgate::providers
