#include "providers/json_writer.h"

#include <charconv>
#include <cmath>

namespace ringgate::providers {

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t run_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        out.append(esc, 6);
      }
    }
  }
  out.append(text.data() + run_start, text.size() - run_start);
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  const int level = depth_ < kMaxDepth ? depth_ : kMaxDepth - 1;
  uint64_t& word = has_value_[level / 64];
  const uint64_t bit = uint64_t{1} << (level % 64);
  if (word & bit) out_ += ',';
  word |= bit;
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  ++depth_;
  if (depth_ < kMaxDepth) has_value_[depth_ / 64] &= ~(uint64_t{1} << (depth_ % 64));
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  --depth_;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  ++depth_;
  if (depth_ < kMaxDepth) has_value_[depth_ / 64] &= ~(uint64_t{1} << (depth_ % 64));
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  --depth_;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  before_value();
  out_ += '"';
  append_json_escaped(out_, name);
  out_ += "\":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  before_value();
  out_ += '"';
  append_json_escaped(out_, value);
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::begin_string() {
  before_value();
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::string_piece(std::string_view text) {
  append_json_escaped(out_, text);
  return *this;
}

JsonWriter& JsonWriter::end_string() {
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::integer(int64_t value) {
  before_value();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::unsigned_integer(uint64_t value) {
  before_value();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::number(double value) {
  before_value();
  if (!std::isfinite(value)) {
    // JSON has no NaN/Infinity; simdjson never yields them, so this is purely defensive.
    out_ += "null";
    return *this;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  before_value();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_ += json;
  return *this;
}

JsonWriter& JsonWriter::element(simdjson::dom::element value) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT:
      begin_object();
      for (auto field : simdjson::dom::object(value)) {
        key(field.key);
        element(field.value);
      }
      return end_object();
    case element_type::ARRAY:
      begin_array();
      for (auto item : simdjson::dom::array(value)) element(item);
      return end_array();
    case element_type::STRING:
      return string(std::string_view(value));
    case element_type::INT64:
      return integer(int64_t(value));
    case element_type::UINT64:
      return unsigned_integer(uint64_t(value));
    case element_type::DOUBLE:
      return number(double(value));
    case element_type::BOOL:
      return boolean(bool(value));
    case element_type::NULL_VALUE:
      return null();
  }
  return null();
}

}  // namespace ringgate::providers
