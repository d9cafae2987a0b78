#include "protocol/json_chat_request.h"

#include <algorithm>

namespace ringgate::protocol {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

bool set_error(JsonError& err, std::string_view message) {
  err.message.assign(message);
  return false;
}

bool parse_root(simdjson::dom::parser& parser, std::string_view body, size_t readable_padding,
                ChatRequestView& out, JsonError& err) {
  out = ChatRequestView{};
  const bool copy = readable_padding < simdjson::SIMDJSON_PADDING;
  element root;
  if (auto error = parser.parse(body.data(), body.size(), copy).get(root)) {
    err.message = "request body is not valid JSON: ";
    err.message += simdjson::error_message(error);
    return false;
  }
  out.document = root;
  if (root.get(out.root) != simdjson::SUCCESS) {
    return set_error(err, "request body must be a JSON object");
  }
  return true;
}

bool read_model(ChatRequestView& out, JsonError& err) {
  element model;
  if (out.root["model"].get(model) != simdjson::SUCCESS) {
    return set_error(err, "'model' is required");
  }
  if (model.get(out.model) != simdjson::SUCCESS || out.model.empty()) {
    return set_error(err, "'model' must be a non-empty string");
  }
  return true;
}

bool read_stream(ChatRequestView& out, JsonError& err) {
  element stream;
  if (out.root["stream"].get(stream) != simdjson::SUCCESS || stream.is_null()) return true;
  if (stream.get(out.stream) != simdjson::SUCCESS) {
    return set_error(err, "'stream' must be a boolean");
  }
  return true;
}

// A positive integer token count; "100.0" or "-1" is refused like the upstream APIs do.
bool read_token_count(const object& root, std::string_view key, std::optional<int64_t>& out,
                      JsonError& err) {
  element v;
  if (root[key].get(v) != simdjson::SUCCESS || v.is_null()) return true;
  int64_t n = 0;
  if (v.get(n) != simdjson::SUCCESS || n < 1) {
    err.message.clear();
    err.message.push_back('\'');
    err.message.append(key);
    err.message.append("' must be a positive integer");
    return false;
  }
  out = n;
  return true;
}

bool read_messages(ChatRequestView& out, JsonError& err) {
  element v;
  if (out.root["messages"].get(v) != simdjson::SUCCESS) {
    return set_error(err, "'messages' is required");
  }
  simdjson::dom::array messages;
  if (v.get(messages) != simdjson::SUCCESS) return set_error(err, "'messages' must be an array");
  out.has_messages = messages.begin() != messages.end();
  return true;
}

}  // namespace

bool parse_model_only(simdjson::dom::parser& parser, std::string_view body, ChatRequestView& out,
                      JsonError& err, size_t readable_padding) {
  return parse_root(parser, body, readable_padding, out, err) && read_model(out, err) &&
         read_stream(out, err);
}

bool parse_chat_request(simdjson::dom::parser& parser, std::string_view body, ChatRequestView& out,
                        JsonError& err, size_t readable_padding) {
  if (!parse_model_only(parser, body, out, err, readable_padding)) return false;
  element opts;
  if (out.root["stream_options"].get(opts) == simdjson::SUCCESS && !opts.is_null()) {
    object o;
    if (opts.get(o) != simdjson::SUCCESS)
      return set_error(err, "'stream_options' must be an object");
    element usage;
    if (o["include_usage"].get(usage) == simdjson::SUCCESS && !usage.is_null() &&
        usage.get(out.include_usage) != simdjson::SUCCESS) {
      return set_error(err, "'stream_options.include_usage' must be a boolean");
    }
  }
  std::optional<int64_t> max_tokens, max_completion_tokens;
  if (!read_token_count(out.root, "max_tokens", max_tokens, err) ||
      !read_token_count(out.root, "max_completion_tokens", max_completion_tokens, err)) {
    return false;
  }
  // With both present an upstream may honour either; caps must hold for the larger.
  if (max_tokens && max_completion_tokens) {
    out.max_tokens = std::max(*max_tokens, *max_completion_tokens);
  } else {
    out.max_tokens = max_tokens ? max_tokens : max_completion_tokens;
  }
  return read_messages(out, err);
}

bool parse_messages_request(simdjson::dom::parser& parser, std::string_view body,
                            ChatRequestView& out, JsonError& err, size_t readable_padding) {
  if (!parse_model_only(parser, body, out, err, readable_padding)) return false;
  if (!read_token_count(out.root, "max_tokens", out.max_tokens, err)) return false;
  if (!out.max_tokens) return set_error(err, "'max_tokens' is required");
  return read_messages(out, err);
}

}  // namespace ringgate::protocol
