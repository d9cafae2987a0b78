#include "providers/response_format_tool.h"

#include "providers/json_access.h"

namespace ringgate::providers {

bool write_schema_tool(JsonWriter& w, simdjson::dom::object spec, std::string& tool_name,
                       std::string& error) {
  json::element schema;
  if (!json::field(spec, "schema", schema) || !json::is_object(schema) ||
      json::field_string(json::as_object(schema), "type") != "object") {
    error = "only object schemas can be mapped to an Anthropic upstream";
    return false;
  }
  std::string_view name = json::field_string(spec, "name");
  if (name.empty()) name = "json_response";
  tool_name = std::string(name);
  auto description = json::field_string(spec, "description");
  if (description.empty()) description = "Respond with JSON that matches this schema.";
  w.key("tools").begin_array().begin_object();
  w.key("name").string(name).key("description").string(description);
  w.key("input_schema").element(schema);
  w.end_object().end_array();
  w.key("tool_choice").begin_object().key("type").string("tool");
  w.key("name").string(name).end_object();
  return true;
}

}  // namespace ringgate::providers
