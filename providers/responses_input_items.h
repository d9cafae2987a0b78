#pragma once

// The Responses API's conversation items (a request's `input`, the stored prior items), read once
// into a flat, validated list that the Anthropic and the chat writers walk. Everything is a view
// into the parsed documents, which must outlive the list.

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

namespace ringgate::providers::responses {

// One content part: text (input_text, output_text, refusal) or an image.
struct Part {
  enum class Kind : uint8_t { kText, kImageUrl, kImageData };
  Kind kind = Kind::kText;
  std::string_view text;        // kText: the text; kImageUrl: the https URL
  std::string_view media_type;  // kImageData
  std::string_view data;        // kImageData: base64 payload
  std::string_view detail;      // images: resolution hint, "" when none
};

struct Item {
  enum class Kind : uint8_t { kMessage, kCall, kCallOutput, kReasoning };
  Kind kind = Kind::kMessage;
  std::string_view role;  // kMessage: user, assistant or system (developer is read as system)
  size_t parts_begin = 0, parts_end = 0;  // kMessage, kCallOutput: range in Items::parts
  bool output_is_string = false;          // kCallOutput: `output` was a string (parts has one)
  bool custom = false;                    // kCall/kCallOutput: custom_tool_call(_output)
  std::string_view call_id, name;
  std::string_view ns;         // kCall: the tool's namespace, "" when it is in none
  std::string_view arguments;  // kCall: function arguments (JSON text) or the custom tool's input
  std::string summary;         // kReasoning: summary texts joined by blank lines
  std::string_view encrypted_content;  // kReasoning: "" when none
  std::string_view source;             // "input" or "previous_response_id", for error params
  size_t index = 0;                    // the item's index in its source
};

struct Items {
  std::vector<Item> items;
  std::vector<Part> parts;
};

// Why reading failed: what the client gets as a 400.
struct ItemError {
  std::string message, param;
};

// Appends the items of `input` (a string, or an array of items) to `out`. `base` names the
// source in error params ("input", or "previous_response_id" for stored items). An
// item_reference is read as the item `referenced` maps its id to (see
// TranslateOptions::referenced_items); without one it is refused.
bool read_items(simdjson::dom::element input, std::string_view base, Items& out, ItemError& error,
                const simdjson::dom::object* referenced = nullptr);

// The item an item_reference names in `referenced`, or null (`value` not a reference, or unknown).
bool resolve_reference(simdjson::dom::element value, const simdjson::dom::object* referenced,
                       simdjson::dom::element& item);

// "data:<media type>;base64,<payload>" split; false when not a base64 data URL.
bool split_data_url(std::string_view url, std::string_view& media_type, std::string_view& data);

}  // namespace ringgate::providers::responses
