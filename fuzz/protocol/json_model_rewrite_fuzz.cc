// Invariants: rewrite_model never reads past its input; on a valid JSON object whose top-level
// "model" is a string it always succeeds, and its output is valid JSON whose "model" is the new
// name while every other top-level member is unchanged. What replace_top_level_value replaces
// keeps the document a valid object with the same members.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "protocol/json_model_rewrite.h"

using namespace ringgate::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static simdjson::dom::parser before_parser, after_parser;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string_view name = "upstream/model \"x\"";
  std::string out;
  bool ok = rewrite_model(in, name, out);

  simdjson::dom::element before;
  if (before_parser.parse(in.data(), in.size()).get(before)) return 0;  // not JSON: no promise
  simdjson::dom::object obj;
  if (!before.get_object().get(obj)) {
    // A member spelled with escapes is not found (it is then absent to the caller); whatever is
    // replaced, the document stays a valid object with the same members.
    std::string replaced;
    if (replace_top_level_value(in, "stream_options", R"({"include_usage":true})", replaced)) {
      simdjson::dom::element r;
      simdjson::dom::object r_obj;
      if (after_parser.parse(replaced).get(r) || r.get_object().get(r_obj) ||
          r_obj.size() != obj.size())
        std::abort();
    }
  }
  std::string_view model;
  bool has_string_model = !before.get_object().get(obj) && !obj["model"].get_string().get(model);
  if (!has_string_model) return 0;
  if (!ok) std::abort();  // a valid object with a string model must be rewritten
  simdjson::dom::element after;
  if (after_parser.parse(out).get(after)) std::abort();  // output must stay valid JSON
  simdjson::dom::object after_obj;
  std::string_view new_model;
  if (after.get_object().get(after_obj) || after_obj["model"].get_string().get(new_model))
    std::abort();
  if (new_model != name) std::abort();
  if (after_obj.size() != obj.size()) std::abort();
  return 0;
}
