// Invariants: the request views never crash or disagree between the copying and the in-place
// (padded) paths; accepted requests satisfy the documented shape (no top-level key twice); error
// bodies built around arbitrary text are valid JSON that round-trips valid UTF-8 exactly.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "protocol/error_body.h"
#include "protocol/json_chat_request.h"

namespace {

using namespace ringgate::protocol;

struct Result {
  bool ok;
  std::string model, err;
  bool stream, include_usage, has_messages;
  std::optional<int64_t> max_tokens;
  bool operator==(const Result&) const = default;
};

// The plain quadratic check the view's hash table must agree with.
bool has_duplicate_key(const simdjson::dom::object& o) {
  size_t i = 0;
  for (auto a : o) {
    size_t j = 0;
    for (auto b : o) {
      if (j++ >= i) break;
      if (a.key == b.key) return true;
    }
    ++i;
  }
  return false;
}

template <class Fn>
Result run(Fn fn, simdjson::dom::parser& parser, std::string_view body, size_t padding) {
  ChatRequestView v;
  JsonError err;
  Result r{};
  r.ok = fn(parser, body, v, err, padding);
  if (r.ok) {
    if (v.model.empty()) std::abort();
    if (v.max_tokens && *v.max_tokens < 1) std::abort();
    if (has_duplicate_key(v.root)) std::abort();
    r.model = v.model;
    r.stream = v.stream;
    r.include_usage = v.include_usage;
    r.has_messages = v.has_messages;
    r.max_tokens = v.max_tokens;
  } else {
    if (err.message.empty()) std::abort();
    r.err = err.message;
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  static simdjson::dom::parser parser;
  const std::string_view body(reinterpret_cast<const char*>(bytes), size);
  std::string padded(body);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  const std::string_view in_place(padded.data(), size);

  for (auto fn : {&parse_chat_request, &parse_model_only, &parse_messages_request,
                  &parse_responses_request}) {
    const Result copied = run(fn, parser, body, 0);
    const Result direct = run(fn, parser, in_place, simdjson::SIMDJSON_PADDING);
    if (!(copied == direct)) std::abort();
  }

  const std::string error = openai_error_body(body, "invalid_request_error", body);
  simdjson::dom::element doc;
  if (parser.parse(error).get(doc) != simdjson::SUCCESS) std::abort();
  std::string_view message;
  if (doc.at_pointer("/error/message").get(message) != simdjson::SUCCESS) std::abort();
  if (simdjson::validate_utf8(body.data(), body.size()) && message != body) std::abort();
  const std::string anthropic = anthropic_error_body(body, body);
  if (parser.parse(anthropic).get(doc) != simdjson::SUCCESS) std::abort();
  return 0;
}
