#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::providers {

// Appends JSON-escaped text (without quotes) to out. Control characters become \uXXXX (or the
// short escapes), everything else, including valid and invalid UTF-8 bytes, is copied as is:
// simdjson already rejected invalid UTF-8 in anything we parsed.
void append_json_escaped(std::string& out, std::string_view text);

// A minimal streaming JSON writer over a caller-owned string. Commas are inserted automatically,
// so callers cannot produce `{"a":1"b":2}` by forgetting one. It never validates nesting beyond
// what comma placement needs: the translators are the only callers and their tests parse every
// output back.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& integer(int64_t value);
  JsonWriter& unsigned_integer(uint64_t value);
  JsonWriter& number(double value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  // A value that is already valid JSON text.
  JsonWriter& raw(std::string_view json);
  // Re-serializes a parsed value (minified). Depth is bounded by the simdjson parser's limit.
  JsonWriter& element(simdjson::dom::element value);

  // Starts a string value whose content is appended in pieces with string_piece().
  JsonWriter& begin_string();
  JsonWriter& string_piece(std::string_view text);
  JsonWriter& end_string();

  std::string& out() { return out_; }

 private:
  void before_value();

  std::string& out_;
  // One bit per nesting level: set once the level holds a value, so the next one needs a comma.
  static constexpr int kMaxDepth = 2048;
  uint64_t has_value_[kMaxDepth / 64] = {};
  int depth_ = 0;
  bool after_key_ = false;
};

}  // namespace ringgate::providers
