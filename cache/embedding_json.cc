// Embeddings JSON: the request body, and the response parsed with simdjson's DOM.
#include "cache/embedding_json.h"

#include <simdjson.h>

#include <cmath>

#include "protocol/error_body.h"

namespace ringgate::cache {

std::string embedding_request_body(std::string_view model, std::string_view input) {
  std::string out = "{\"model\":\"";
  protocol::append_json_escaped(out, model);
  out += "\",\"input\":\"";
  protocol::append_json_escaped(out, input);
  out += "\",\"encoding_format\":\"float\"}";
  return out;
}

bool parse_embedding_response(std::string_view body, size_t dims, std::vector<float>& out,
                              std::string& err) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::array data, values;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) {
    err = "the response is not JSON";
    return false;
  }
  simdjson::dom::element first;
  if (doc["data"].get_array().get(data) != simdjson::SUCCESS || data.size() == 0 ||
      data.at(0).get(first) != simdjson::SUCCESS ||
      first["embedding"].get_array().get(values) != simdjson::SUCCESS) {
    err = "the response has no data[0].embedding array";
    return false;
  }
  if (values.size() != dims) {
    err = "the embedding has " + std::to_string(values.size()) + " dimensions, not " +
          std::to_string(dims);
    return false;
  }
  out.clear();
  out.reserve(dims);
  for (simdjson::dom::element v : values) {
    double x;  // get_double converts integers too
    if (v.get_double().get(x) != simdjson::SUCCESS) {
      err = "the embedding holds a value that is not a number";
      return false;
    }
    if (!std::isfinite(x) || std::fabs(x) > 1e30) {
      err = "the embedding holds a value out of range";
      return false;
    }
    out.push_back(float(x));
  }
  return true;
}

}  // namespace ringgate::cache
