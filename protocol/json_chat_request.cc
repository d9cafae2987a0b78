#include "protocol/json_chat_request.h"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

namespace ringgate::protocol {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

bool set_error(JsonError& err, std::string_view message) {
  err.message.assign(message);
  return false;
}

// Duplicate keys. simdjson keeps every member of an object and its lookups return the first,
// while most upstream parsers (and our translators) keep the last: a repeated "model" or
// "max_tokens" would be routed and capped on one value and served on another. Keys come out of
// the DOM unescaped, so "mod\u0065l" and "model" compare equal here.

// Request objects have a few dozen keys at most; up to kInlineKeys are checked in a hash table on
// the stack (no allocation), more in a sorted copy (O(n log n) whatever names a client picks).
constexpr size_t kInlineSlots = 64;  // one bit each in a uint64_t occupancy mask
constexpr size_t kInlineKeys = kInlineSlots / 2;
// Enough of a key to recognise it; a hostile key is not echoed whole.
constexpr size_t kMaxEchoedKeyBytes = 64;

size_t hash_key(std::string_view key) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  return static_cast<size_t>(h ^ (h >> 32));
}

std::optional<std::string_view> duplicate_in_table(const object& o) {
  std::array<std::string_view, kInlineSlots> slots;
  uint64_t used = 0;
  for (auto field : o) {
    size_t i = hash_key(field.key) & (kInlineSlots - 1);
    while (used & (uint64_t{1} << i)) {
      if (slots[i] == field.key) return field.key;
      i = (i + 1) & (kInlineSlots - 1);
    }
    used |= uint64_t{1} << i;
    slots[i] = field.key;
  }
  return std::nullopt;
}

std::optional<std::string_view> duplicate_by_sorting(const object& o) {
  std::vector<std::string_view> keys;
  keys.reserve(o.size());
  for (auto field : o) keys.push_back(field.key);
  std::sort(keys.begin(), keys.end());
  auto it = std::adjacent_find(keys.begin(), keys.end());
  if (it == keys.end()) return std::nullopt;
  return *it;
}

// `where` prefixes the key in the message ("stream_options." for a nested object).
bool check_unique_keys(const object& o, std::string_view where, JsonError& err) {
  auto dup = o.size() <= kInlineKeys ? duplicate_in_table(o) : duplicate_by_sorting(o);
  if (!dup) return true;
  std::string_view key = *dup;
  const bool cut = key.size() > kMaxEchoedKeyBytes;
  if (cut) {
    key = key.substr(0, kMaxEchoedKeyBytes);
    // Keys are valid UTF-8 (simdjson checked it); drop the character the cut may have split so
    // the message stays valid UTF-8.
    while (!key.empty() && (static_cast<unsigned char>(key.back()) & 0xC0) == 0x80) {
      key.remove_suffix(1);
    }
    if (!key.empty() && static_cast<unsigned char>(key.back()) >= 0xC0) key.remove_suffix(1);
  }
  err.message.assign("duplicate key '");
  err.message.append(where);
  err.message.append(key);
  if (cut) err.message.append("...");
  err.message.append("' in the request body; send each key once");
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
  return check_unique_keys(out.root, "", err);
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
    if (!check_unique_keys(o, "stream_options.", err)) return false;
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

bool parse_responses_request(simdjson::dom::parser& parser, std::string_view body,
                             ChatRequestView& out, JsonError& err, size_t readable_padding) {
  return parse_model_only(parser, body, out, err, readable_padding) &&
         read_token_count(out.root, "max_output_tokens", out.max_tokens, err);
}

bool parse_messages_request(simdjson::dom::parser& parser, std::string_view body,
                            ChatRequestView& out, JsonError& err, size_t readable_padding) {
  if (!parse_model_only(parser, body, out, err, readable_padding)) return false;
  if (!read_token_count(out.root, "max_tokens", out.max_tokens, err)) return false;
  if (!out.max_tokens) return set_error(err, "'max_tokens' is required");
  return read_messages(out, err);
}

}  // namespace ringgate::protocol
