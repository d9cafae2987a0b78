#include "providers/batch_results_url.h"

#include <array>

#include "protocol/request_target.h"

namespace ringgate::providers {

namespace {

constexpr std::string_view kKey = "results_url";

// The end of the JSON string whose opening quote is at `open` (the index of its closing quote), or
// npos when the text ends inside it.
size_t string_end(std::string_view json, size_t open) {
  for (size_t i = open + 1; i < json.size(); ++i) {
    if (json[i] == '\\') {
      ++i;
    } else if (json[i] == '"') {
      return i;
    }
  }
  return std::string_view::npos;
}

size_t skip_space(std::string_view json, size_t i) {
  while (i < json.size() &&
         (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')) {
    ++i;
  }
  return i;
}

// Where the path of the raw (still escaped) string `url` starts, or npos when it is not an
// absolute http(s) URL with a path. A JSON writer may escape '/' as "\/".
size_t path_start(std::string_view url) {
  constexpr std::array<std::string_view, 4> kSchemes = {"https://", "http://", "https:\\/\\/",
                                                        "http:\\/\\/"};
  for (std::string_view scheme : kSchemes) {
    if (!url.starts_with(scheme)) continue;
    const size_t slash = url.find('/', scheme.size());
    if (slash == std::string_view::npos) return slash;
    // An escaped slash "\/" starts the path at its backslash.
    return url[slash - 1] == '\\' ? slash - 1 : slash;
  }
  return std::string_view::npos;
}

}  // namespace

bool relative_results_urls(std::string_view json, std::string& out) {
  std::string result;
  size_t copied = 0;       // json[0, copied) is in `result`
  bool after_key = false;  // the last token was the key results_url and its colon
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] != '"') {
      if (json[i] != ' ' && json[i] != '\t' && json[i] != '\n' && json[i] != '\r')
        after_key = false;
      continue;
    }
    const size_t close = string_end(json, i);
    if (close == std::string_view::npos) return false;
    const std::string_view raw = json.substr(i + 1, close - i - 1);
    const size_t next = skip_space(json, close + 1);
    if (after_key) {
      const size_t path = path_start(raw);
      if (path != std::string_view::npos) {
        result.append(json.substr(copied, i + 1 - copied));
        copied = i + 1 + path;
      }
      after_key = false;
    } else if (next < json.size() && json[next] == ':') {
      after_key = raw == kKey;
      i = next;
      continue;
    }
    i = close;
  }
  if (copied == 0) return false;
  result.append(json.substr(copied));
  out = std::move(result);
  return true;
}

bool carries_results_url(std::string_view endpoint) {
  return protocol::path_at_or_under(endpoint, "/messages/batches") &&
         !endpoint.ends_with("/results");
}

}  // namespace ringgate::providers
