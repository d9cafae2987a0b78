#include "protocol/json_model_rewrite.h"

#include "protocol/error_body.h"

namespace ringgate::protocol {

namespace {
// Index just past the string starting at json[i] == '"', or npos if unterminated.
size_t skip_string(std::string_view json, size_t i) {
  for (++i; i < json.size(); ++i) {
    if (json[i] == '\\') {
      ++i;
    } else if (json[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}
size_t skip_ws(std::string_view json, size_t i) {
  while (i < json.size() &&
         (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r'))
    ++i;
  return i;
}
}  // namespace

bool rewrite_model(std::string_view json, std::string_view model, std::string& out) {
  int depth = 0;
  bool expect_key = false;
  for (size_t i = 0; i < json.size();) {
    char c = json[i];
    if (c == '"') {
      size_t end = skip_string(json, i);
      if (end == std::string_view::npos) return false;
      if (depth == 1 && expect_key) {
        std::string_view key = json.substr(i + 1, end - i - 2);
        size_t colon = skip_ws(json, end);
        if (colon >= json.size() || json[colon] != ':') return false;
        size_t v = skip_ws(json, colon + 1);
        if (key == "model" && v < json.size() && json[v] == '"') {
          size_t vend = skip_string(json, v);
          if (vend == std::string_view::npos) return false;
          out.clear();
          out.reserve(json.size() + model.size());
          out.append(json.substr(0, v));
          out.push_back('"');
          append_json_escaped(out, model);
          out.push_back('"');
          out.append(json.substr(vend));
          return true;
        }
        expect_key = false;
        i = v;
        continue;
      }
      i = end;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
      expect_key = c == '{' && depth == 1;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 1) {
      expect_key = true;
    }
    ++i;
  }
  return false;
}

bool add_include_usage(std::string_view json, std::string& out) {
  const size_t open = skip_ws(json, 0);
  if (open >= json.size() || json[open] != '{') return false;
  const size_t first = skip_ws(json, open + 1);
  if (first >= json.size()) return false;
  out.clear();
  out.reserve(json.size() + 48);
  out.append(json.substr(0, open + 1));
  out.append(R"("stream_options":{"include_usage":true})");
  if (json[first] != '}') out.push_back(',');
  out.append(json.substr(open + 1));
  return true;
}

}  // namespace ringgate::protocol
