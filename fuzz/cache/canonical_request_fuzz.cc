// canonical_request_key on arbitrary bytes never crashes, and for every body it accepts, a
// rewrite of the same JSON with keys in reverse order, extra whitespace, escaped letters and
// integers written as "N.0" gives the same key (what the key promises to ignore).
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cache/canonical_request.h"

namespace {

using ringgate::cache::CanonicalRequest;

void write_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    char buf[8];
    if (c < 0x20 || c == '"' || c == '\\' || c == 'a') {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);  // 'a' too: escapes must not matter
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void rewrite(std::string& out, simdjson::dom::element v) {
  using Type = simdjson::dom::element_type;
  char buf[40];
  switch (v.type()) {
    case Type::OBJECT: {
      std::vector<simdjson::dom::key_value_pair> fields;
      const simdjson::dom::object object = v.get_object().value_unsafe();  // a copy: the result
      for (auto field : object) fields.push_back(field);                   // is a temporary
      out += "{ ";
      for (size_t i = fields.size(); i-- > 0;) {
        write_string(out, fields[i].key);
        out += " :\n";
        rewrite(out, fields[i].value);
        if (i) out += " ,\t";
      }
      out += " }";
      return;
    }
    case Type::ARRAY: {
      out += "[ ";
      bool first = true;
      const simdjson::dom::array array = v.get_array().value_unsafe();
      for (auto item : array) {
        if (!first) out += " , ";
        first = false;
        rewrite(out, item);
      }
      out += " ]";
      return;
    }
    case Type::STRING:
      write_string(out, v.get_string().value_unsafe());
      return;
    case Type::INT64: {
      const int64_t i = v.get_int64().value_unsafe();
      const bool exact = i > -(int64_t(1) << 53) && i < (int64_t(1) << 53);
      std::snprintf(buf, sizeof buf, exact ? "%lld.0" : "%lld", static_cast<long long>(i));
      out += buf;
      return;
    }
    case Type::UINT64:
      std::snprintf(buf, sizeof buf, "%llu",
                    static_cast<unsigned long long>(v.get_uint64().value_unsafe()));
      out += buf;
      return;
    case Type::DOUBLE:
      std::snprintf(buf, sizeof buf, "%.17g", v.get_double().value_unsafe());
      out += buf;
      return;
    case Type::BOOL:
      out += v.get_bool().value_unsafe() ? "true" : "false";
      return;
    case Type::NULL_VALUE:
      out += "null";
      return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const CanonicalRequest request{"scope", "openai", "/v1/chat/completions", "model", body};
  const auto key = ringgate::cache::canonical_request_key(request);
  if (!key) return 0;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root)) std::abort();  // accepted, so it parses
  std::string rewritten;
  rewrite(rewritten, root);
  CanonicalRequest again = request;
  again.body = rewritten;
  const auto key2 = ringgate::cache::canonical_request_key(again);
  if (!key2 || !(key2->key == key->key)) std::abort();
  return 0;
}
