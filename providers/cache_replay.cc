#include "providers/cache_replay.h"

#include <simdjson.h>

#include <algorithm>
#include <ctime>
#include <vector>

#include "protocol/json_model_rewrite.h"
#include "providers/json_writer.h"
#include "providers/response_translator.h"

namespace ringgate::providers {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Pieces of about `size` bytes; a cut never falls on a UTF-8 continuation byte.
std::vector<std::string_view> utf8_pieces(std::string_view text, size_t size) {
  std::vector<std::string_view> pieces;
  size = std::max<size_t>(size, 4);
  while (!text.empty()) {
    size_t end = std::min(size, text.size());
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    pieces.push_back(text.substr(0, end));
    text.remove_prefix(end);
  }
  return pieces;
}

std::string_view string_field(object o, std::string_view name) {
  std::string_view s;
  return o[name].get_string().get(s) == simdjson::SUCCESS ? s : std::string_view{};
}

// The stored body in the client's API, as JSON text (a copy only when translated).
bool to_client_json(std::string_view stored, ReplayApi from, ReplayApi to,
                    const ReplayOptions& options, std::string& out, std::string& error) {
  if (from == to) {
    out.assign(stored);
    return true;
  }
  ResponseOptions response;
  response.model = options.model;
  response.created = options.created;
  auto translated = to == ReplayApi::kOpenAiChat ? anthropic_response_to_openai(stored, response)
                                                 : openai_response_to_anthropic(stored, response);
  if (!translated.ok) {
    error = translated.error_message.empty() ? "stored answer is not translatable"
                                             : translated.error_message;
    return false;
  }
  out = std::move(translated.body);
  return true;
}

// --- OpenAI chat.completion.chunk stream ------------------------------------------------------

struct ChunkHeader {
  std::string_view id;
  std::string_view model;
  int64_t created;
};

// One `data:` frame: a chunk for choice `index` whose delta members `write_delta` writes.
template <class F>
void chunk(std::string& out, const ChunkHeader& h, int64_t index, std::string_view finish,
           F&& write_delta) {
  out += "data: ";
  JsonWriter w(out);
  w.begin_object().key("id").string(h.id).key("object").string("chat.completion.chunk");
  w.key("created").integer(h.created).key("model").string(h.model);
  w.key("choices").begin_array().begin_object().key("index").integer(index);
  w.key("delta").begin_object();
  write_delta(w);
  w.end_object().key("logprobs").null().key("finish_reason");
  finish.empty() ? w.null() : w.string(finish);
  w.end_object().end_array().end_object();
  out += "\n\n";
}

void openai_text_deltas(std::string& out, const ChunkHeader& h, int64_t index,
                        std::string_view field, std::string_view text, size_t size) {
  for (auto piece : utf8_pieces(text, size))
    chunk(out, h, index, {}, [&](JsonWriter& w) { w.key(field).string(piece); });
}

void openai_tool_call_deltas(std::string& out, const ChunkHeader& h, int64_t index,
                             simdjson::dom::array calls, size_t size) {
  int64_t call_index = 0;
  for (element call : calls) {
    object c, fn;
    if (call.get_object().get(c) || c["function"].get_object().get(fn)) continue;
    const std::string_view args = string_field(fn, "arguments");
    chunk(out, h, index, {}, [&](JsonWriter& w) {
      w.key("tool_calls").begin_array().begin_object().key("index").integer(call_index);
      w.key("id").string(string_field(c, "id")).key("type").string("function");
      w.key("function").begin_object().key("name").string(string_field(fn, "name"));
      w.key("arguments").string("").end_object().end_object().end_array();
    });
    for (auto piece : utf8_pieces(args, size)) {
      chunk(out, h, index, {}, [&](JsonWriter& w) {
        w.key("tool_calls").begin_array().begin_object().key("index").integer(call_index);
        w.key("function").begin_object().key("arguments").string(piece).end_object();
        w.end_object().end_array();
      });
    }
    ++call_index;
  }
}

void openai_choice(std::string& out, const ChunkHeader& h, object choice, int64_t fallback_index,
                   size_t size) {
  int64_t index;
  if (choice["index"].get_int64().get(index)) index = fallback_index;
  object message;
  const bool has_message = !choice["message"].get_object().get(message);
  chunk(out, h, index, {}, [](JsonWriter& w) { w.key("role").string("assistant"); });
  if (has_message) {
    openai_text_deltas(out, h, index, "reasoning_content",
                       string_field(message, "reasoning_content"), size);
    openai_text_deltas(out, h, index, "content", string_field(message, "content"), size);
    std::string_view refusal = string_field(message, "refusal");
    openai_text_deltas(out, h, index, "refusal", refusal, size);
    simdjson::dom::array calls;
    if (!message["tool_calls"].get_array().get(calls))
      openai_tool_call_deltas(out, h, index, calls, size);
  }
  std::string_view finish = string_field(choice, "finish_reason");
  chunk(out, h, index, finish.empty() ? "stop" : finish, [](JsonWriter&) {});
}

bool openai_stream(std::string_view json, const ReplayOptions& options, std::string& out,
                   std::string& error) {
  simdjson::dom::parser parser;
  object completion;
  simdjson::dom::array choices;
  if (parser.parse(json).get_object().get(completion) ||
      completion["choices"].get_array().get(choices)) {
    error = "stored answer is not a chat.completion";
    return false;
  }
  int64_t created = options.created ? options.created : int64_t(std::time(nullptr));
  const ChunkHeader h{string_field(completion, "id"),
                      options.model.empty() ? string_field(completion, "model") : options.model,
                      created};
  int64_t index = 0;
  for (element choice : choices) {
    object c;
    if (!choice.get_object().get(c)) openai_choice(out, h, c, index, options.delta_bytes);
    ++index;
  }
  element usage;
  if (options.include_usage && !completion["usage"].get(usage) && usage.is_object()) {
    out += "data: ";
    JsonWriter w(out);
    w.begin_object().key("id").string(h.id).key("object").string("chat.completion.chunk");
    w.key("created").integer(h.created).key("model").string(h.model);
    w.key("choices").begin_array().end_array().key("usage").element(usage).end_object();
    out += "\n\n";
  }
  out += "data: [DONE]\n\n";
  return true;
}

// --- Anthropic Messages event stream ---------------------------------------------------------

template <class F>
void event(std::string& out, std::string_view type, F&& write_members) {
  out += "event: ";
  out += type;
  out += "\ndata: ";
  JsonWriter w(out);
  w.begin_object().key("type").string(type);
  write_members(w);
  w.end_object();
  out += "\n\n";
}

void block_delta(std::string& out, int64_t index, std::string_view delta_type,
                 std::string_view field, std::string_view text, size_t size) {
  for (auto piece : utf8_pieces(text, size)) {
    event(out, "content_block_delta", [&](JsonWriter& w) {
      w.key("index").integer(index).key("delta").begin_object();
      w.key("type").string(delta_type).key(field).string(piece).end_object();
    });
  }
}

// content_block_start, the deltas, content_block_stop for one block.
void anthropic_block(std::string& out, int64_t index, element whole, object block, size_t size) {
  const std::string_view type = string_field(block, "type");
  element input;
  std::string input_json;
  if (type == "tool_use" && !block["input"].get(input)) JsonWriter(input_json).element(input);
  event(out, "content_block_start", [&](JsonWriter& w) {
    w.key("index").integer(index).key("content_block");
    if (type == "text") {
      w.begin_object().key("type").string("text").key("text").string("").end_object();
    } else if (type == "thinking") {
      w.begin_object().key("type").string("thinking").key("thinking").string("");
      w.key("signature").string("").end_object();
    } else if (type == "tool_use") {
      w.begin_object().key("type").string("tool_use").key("id").string(string_field(block, "id"));
      w.key("name").string(string_field(block, "name"));
      w.key("input").begin_object().end_object().end_object();
    } else {
      w.element(whole);  // redacted_thinking, server tools...: whole, no deltas
    }
  });
  if (type == "text") {
    block_delta(out, index, "text_delta", "text", string_field(block, "text"), size);
  } else if (type == "thinking") {
    block_delta(out, index, "thinking_delta", "thinking", string_field(block, "thinking"), size);
    const std::string_view signature = string_field(block, "signature");
    if (!signature.empty())
      block_delta(out, index, "signature_delta", "signature", signature, SIZE_MAX);
  } else if (type == "tool_use") {
    block_delta(out, index, "input_json_delta", "partial_json", input_json, size);
  }
  event(out, "content_block_stop", [&](JsonWriter& w) { w.key("index").integer(index); });
}

void message_start(std::string& out, object message, std::string_view model) {
  event(out, "message_start", [&](JsonWriter& w) {
    w.key("message").begin_object().key("id").string(string_field(message, "id"));
    w.key("type").string("message").key("role").string("assistant").key("model").string(model);
    w.key("content").begin_array().end_array();
    w.key("stop_reason").null().key("stop_sequence").null();
    w.key("usage").begin_object();
    object usage;
    if (!message["usage"].get_object().get(usage)) {
      for (auto field : usage) {
        if (field.key != "output_tokens") w.key(field.key).element(field.value);
      }
    }
    w.key("output_tokens").integer(0).end_object().end_object();
  });
}

bool anthropic_stream(std::string_view json, const ReplayOptions& options, std::string& out,
                      std::string& error) {
  simdjson::dom::parser parser;
  object message;
  simdjson::dom::array content;
  if (parser.parse(json).get_object().get(message) || message["content"].get_array().get(content)) {
    error = "stored answer is not a message";
    return false;
  }
  message_start(out, message,
                options.model.empty() ? string_field(message, "model") : options.model);
  int64_t index = 0;
  for (element block : content) {
    object b;
    if (block.get_object().get(b)) continue;
    anthropic_block(out, index++, block, b, options.delta_bytes);
  }
  event(out, "message_delta", [&](JsonWriter& w) {
    const std::string_view stop = string_field(message, "stop_reason");
    const std::string_view sequence = string_field(message, "stop_sequence");
    w.key("delta").begin_object().key("stop_reason").string(stop.empty() ? "end_turn" : stop);
    w.key("stop_sequence");
    sequence.empty() ? w.null() : w.string(sequence);
    w.end_object();
    element usage;
    if (!message["usage"].get(usage) && usage.is_object()) w.key("usage").element(usage);
  });
  event(out, "message_stop", [](JsonWriter&) {});
  return true;
}

}  // namespace

ReplayResult replay_json(std::string_view stored, ReplayApi stored_api, ReplayApi client_api,
                         const ReplayOptions& options) {
  ReplayResult result;
  std::string json;
  if (!to_client_json(stored, stored_api, client_api, options, json, result.error)) return result;
  simdjson::dom::parser parser;
  if (parser.parse(json).error()) {
    result.error = "stored answer is not JSON";
    return result;
  }
  // Same API: the stored bytes, with the client's model name when one is given.
  if (stored_api == client_api && !options.model.empty() &&
      protocol::rewrite_model(json, options.model, result.body)) {
    result.ok = true;
    return result;
  }
  result.body = std::move(json);
  result.ok = true;
  return result;
}

ReplayResult replay_sse(std::string_view stored, ReplayApi stored_api, ReplayApi client_api,
                        const ReplayOptions& options) {
  ReplayResult result;
  std::string json;
  if (!to_client_json(stored, stored_api, client_api, options, json, result.error)) return result;
  result.ok = client_api == ReplayApi::kOpenAiChat
                  ? openai_stream(json, options, result.body, result.error)
                  : anthropic_stream(json, options, result.body, result.error);
  if (!result.ok) result.body.clear();
  return result;
}

}  // namespace ringgate::providers
