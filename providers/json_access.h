#pragma once

// Small helpers shared by the translators for reading simdjson DOM values without exceptions.

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::providers::json {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

inline bool is_null(element e) { return e.type() == element_type::NULL_VALUE; }
inline bool is_string(element e) { return e.type() == element_type::STRING; }
inline bool is_object(element e) { return e.type() == element_type::OBJECT; }
inline bool is_array(element e) { return e.type() == element_type::ARRAY; }
inline bool is_bool(element e) { return e.type() == element_type::BOOL; }
inline bool is_number(element e) {
  const auto t = e.type();
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}
inline bool is_integer(element e) {
  const auto t = e.type();
  return t == element_type::INT64 || t == element_type::UINT64;
}

// For values whose type was already checked. Returned by value: binding a reference to
// value_unsafe() of a temporary simdjson_result would dangle.
inline array as_array(element e) {
  array a;
  if (e.get_array().get(a)) return array();
  return a;
}
inline object as_object(element e) {
  object o;
  if (e.get_object().get(o)) return object();
  return o;
}

inline std::string_view str(element e) {
  std::string_view s;
  return e.get_string().get(s) ? std::string_view() : s;
}
inline bool boolean(element e) {
  return e.type() == element_type::BOOL && e.get_bool().value_unsafe();
}
inline double number(element e) {
  double d = 0;
  return e.get_double().get(d) ? 0.0 : d;
}
// Integers that do not fit int64 saturate; token counts never get near that.
inline int64_t integer(element e) {
  if (e.type() == element_type::INT64) return e.get_int64().value_unsafe();
  if (e.type() == element_type::UINT64) return INT64_MAX;
  return 0;
}

// Field lookup; absent and JSON null both yield false so that `"x": null` means "not given",
// as both APIs document for optional fields.
inline bool field(object o, std::string_view name, element& out) {
  if (o.at_key(name).get(out)) return false;
  return !is_null(out);
}

inline std::string_view field_string(object o, std::string_view name) {
  element e;
  return field(o, name, e) ? str(e) : std::string_view();
}

inline int64_t field_integer(object o, std::string_view name) {
  element e;
  return field(o, name, e) ? integer(e) : 0;
}

// A parser per role and thread: the DOM of a parse lives until the same parser parses again, so
// nested parses (tool arguments inside a request) need their own, and so does a request whose
// tool history was repaired (translated from its repaired body while the original stays parsed).
enum class ParserSlot { kDocument, kNested, kRepaired, kCount };
simdjson::dom::parser& thread_parser(ParserSlot slot);

// Parses text with the slot's parser. Empty text is not JSON (and its data() may be null, which
// simdjson would hand to memcpy).
inline bool parse(ParserSlot slot, std::string_view text, element& root) {
  if (text.empty()) return false;
  return !thread_parser(slot).parse(text.data(), text.size()).get(root);
}

}  // namespace ringgate::providers::json
