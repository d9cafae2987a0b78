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

// Index just past the JSON value starting at json[i], or npos if it does not end.
size_t skip_value(std::string_view json, size_t i) {
  if (i >= json.size()) return std::string_view::npos;
  if (json[i] == '"') return skip_string(json, i);
  int depth = 0;
  for (; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '"') {
      i = skip_string(json, i);
      if (i == std::string_view::npos) return i;
      --i;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;  // a literal ends at its object's end
      if (--depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
      return i;
    }
  }
  return depth == 0 ? i : std::string_view::npos;
}

// Where the value of the top-level member `want` starts, or npos.
size_t top_level_value(std::string_view json, std::string_view want) {
  int depth = 0;
  bool expect_key = false;
  for (size_t i = 0; i < json.size();) {
    char c = json[i];
    if (c == '"') {
      size_t end = skip_string(json, i);
      if (end == std::string_view::npos) return end;
      if (depth == 1 && expect_key) {
        std::string_view key = json.substr(i + 1, end - i - 2);
        size_t colon = skip_ws(json, end);
        if (colon >= json.size() || json[colon] != ':') return std::string_view::npos;
        size_t v = skip_ws(json, colon + 1);
        if (key == want) return v < json.size() ? v : std::string_view::npos;
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
  return std::string_view::npos;
}

// Writes json with the value spanning [v, end) replaced by `value` into out.
void splice(std::string_view json, size_t v, size_t end, std::string_view value, std::string& out) {
  out.clear();
  out.reserve(json.size() + value.size());
  out.append(json.substr(0, v));
  out.append(value);
  out.append(json.substr(end));
}

}  // namespace

bool rewrite_model(std::string_view json, std::string_view model, std::string& out) {
  const size_t v = top_level_value(json, "model");
  if (v == std::string_view::npos || json[v] != '"') return false;
  const size_t end = skip_string(json, v);
  if (end == std::string_view::npos) return false;
  std::string quoted = "\"";
  append_json_escaped(quoted, model);
  quoted.push_back('"');
  splice(json, v, end, quoted, out);
  return true;
}

bool replace_top_level_value(std::string_view json, std::string_view key, std::string_view value,
                             std::string& out) {
  const size_t v = top_level_value(json, key);
  if (v == std::string_view::npos) return false;
  const size_t end = skip_value(json, v);
  if (end == std::string_view::npos) return false;
  splice(json, v, end, value, out);
  return true;
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
