#pragma once

#include <simdjson.h>

#include "tools/mock_upstream/http_request_reader.h"
#include "tools/mock_upstream/mock_options.h"
#include "tools/mock_upstream/response_plan.h"

namespace ringgate::mock_upstream {

// One API request with its body already parsed, as the endpoint handlers see it.
struct ApiRequest {
  const HttpRequest& http;
  simdjson::dom::element body;  // a JSON object
  const MockOptions& options;
  const RequestKnobs& knobs;
  bool close_after;
};

// Reads an optional field; `out` keeps its default when the field is absent or of another type.
template <typename T>
bool ReadField(simdjson::simdjson_result<simdjson::dom::element> field, T& out) {
  return field.get(out) == simdjson::SUCCESS;
}

// Requested output cap, or -1 when the request does not set one.
inline int64_t RequestedMaxTokens(simdjson::dom::element body,
                                  std::initializer_list<const char*> fields) {
  for (const char* field : fields) {
    int64_t value;
    if (body[field].get(value) == simdjson::SUCCESS && value >= 0) return value;
  }
  return -1;
}

}  // namespace ringgate::mock_upstream
