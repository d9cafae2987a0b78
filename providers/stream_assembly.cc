#include "providers/stream_assembly.h"

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <vector>

#include "protocol/sse_framer.h"
#include "providers/json_writer.h"

namespace ringgate::providers {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr size_t kMaxEventBytes = 1 << 22;
constexpr size_t kMaxIndex = 1024;  // choices, tool calls, content blocks: a bound on the vectors

std::string_view str(element e, std::string_view key) {
  std::string_view s;
  return e[key].get(s) == simdjson::SUCCESS ? s : std::string_view();
}

bool index_of(element e, size_t& out) {
  uint64_t i = 0;
  if (e["index"].get(i) != simdjson::SUCCESS || i >= kMaxIndex) return false;
  out = size_t(i);
  return true;
}

// Every event's data through `f(element, event name)` until one fails; false on any bad event.
template <class F>
bool each_event(std::string_view sse, std::string& error, F&& f) {
  protocol::SseFramer framer(kMaxEventBytes);
  simdjson::dom::parser parser;
  bool ok = true;
  const bool whole = framer.feed(sse, [&](const protocol::SseEvent& ev) {
    if (!ok || ev.data == "[DONE]") return;
    element doc;
    // An empty data field is no JSON (and its null pointer must not reach the parser's memcpy).
    if (ev.data.empty() ||
        parser.parse(ev.data.data(), ev.data.size()).get(doc) != simdjson::SUCCESS ||
        !doc.is_object()) {
      error = "stream event is not a JSON object";
      ok = false;
      return;
    }
    if (doc["error"].error() == simdjson::SUCCESS || ev.event == "error") {
      error = "stream carried an error";
      ok = false;
      return;
    }
    ok = f(doc, ev.event, error);
  });
  if (!whole && ok) {
    error = "stream event too large";
    ok = false;
  }
  if (ok && framer.buffered_bytes() > 0) {
    error = "stream ends inside an event";
    ok = false;
  }
  return ok;
}

// ---- OpenAI chat.completion.chunk -> chat.completion

struct ToolCall {
  std::string id, type = "function", name, arguments;
};

struct Choice {
  bool seen = false, has_content = false, has_reasoning = false, has_refusal = false;
  std::string role = "assistant", content, reasoning, refusal, finish_reason;
  std::vector<ToolCall> tools;
};

struct ChatStream {
  std::string id, model, system_fingerprint, usage;
  int64_t created = 0;
  std::vector<Choice> choices;
};

bool add_tool_delta(element call, Choice& c, std::string& error) {
  size_t i = 0;
  if (!index_of(call, i)) {
    error = "tool_calls delta without a valid index";
    return false;
  }
  if (c.tools.size() <= i) c.tools.resize(i + 1);
  ToolCall& t = c.tools[i];
  if (std::string_view id = str(call, "id"); !id.empty()) t.id = id;
  if (std::string_view type = str(call, "type"); !type.empty()) t.type = type;
  element fn;
  if (call["function"].get(fn) == simdjson::SUCCESS) {
    t.name += str(fn, "name");
    t.arguments += str(fn, "arguments");
  }
  return true;
}

bool add_choice_delta(element ch, ChatStream& s, std::string& error) {
  size_t i = 0;
  if (!index_of(ch, i)) {
    error = "choice without a valid index";
    return false;
  }
  if (s.choices.size() <= i) s.choices.resize(i + 1);
  Choice& c = s.choices[i];
  c.seen = true;
  element delta;
  if (ch["delta"].get(delta) == simdjson::SUCCESS && delta.is_object()) {
    if (std::string_view role = str(delta, "role"); !role.empty()) c.role = role;
    std::string_view text;
    if (delta["content"].get(text) == simdjson::SUCCESS) c.has_content = true, c.content += text;
    if (delta["reasoning_content"].get(text) == simdjson::SUCCESS)
      c.has_reasoning = true, c.reasoning += text;
    if (delta["refusal"].get(text) == simdjson::SUCCESS) c.has_refusal = true, c.refusal += text;
    simdjson::dom::array calls;
    if (delta["tool_calls"].get(calls) == simdjson::SUCCESS) {
      for (element call : calls) {
        if (!add_tool_delta(call, c, error)) return false;
      }
    }
  }
  if (std::string_view f = str(ch, "finish_reason"); !f.empty()) c.finish_reason = f;
  return true;
}

bool add_chunk(element doc, ChatStream& s, std::string& error) {
  if (s.id.empty()) s.id = str(doc, "id");
  if (s.model.empty()) s.model = str(doc, "model");
  if (s.system_fingerprint.empty()) s.system_fingerprint = str(doc, "system_fingerprint");
  int64_t created = 0;
  if (s.created == 0 && doc["created"].get(created) == simdjson::SUCCESS) s.created = created;
  element usage;
  if (doc["usage"].get(usage) == simdjson::SUCCESS && usage.is_object())
    s.usage = simdjson::minify(usage);
  simdjson::dom::array choices;
  if (doc["choices"].get(choices) != simdjson::SUCCESS) return true;
  for (element ch : choices) {
    if (!add_choice_delta(ch, s, error)) return false;
  }
  return true;
}

void write_choice(JsonWriter& w, size_t index, const Choice& c) {
  w.begin_object().key("index").unsigned_integer(index).key("message").begin_object();
  w.key("role").string(c.role).key("content");
  if (c.has_content || c.tools.empty()) {
    w.string(c.content);
  } else {
    w.null();
  }
  if (c.has_reasoning) w.key("reasoning_content").string(c.reasoning);
  if (c.has_refusal) w.key("refusal").string(c.refusal);
  if (!c.tools.empty()) {
    w.key("tool_calls").begin_array();
    for (const ToolCall& t : c.tools) {
      w.begin_object().key("id").string(t.id).key("type").string(t.type);
      w.key("function").begin_object().key("name").string(t.name);
      w.key("arguments").string(t.arguments).end_object().end_object();
    }
    w.end_array();
  }
  w.end_object().key("logprobs").null().key("finish_reason").string(c.finish_reason);
  w.end_object();
}

// ---- Anthropic message events -> message

struct Block {
  bool seen = false, stopped = false;
  std::string type, start;  // start: the content_block as content_block_start gave it (minified)
  std::string text, thinking, signature, input_json, id, name;
  std::vector<std::string> citations;
};

struct MessageStream {
  bool started = false, stopped = false;
  std::string id, model, role = "assistant", stop_reason, stop_sequence = "null";
  std::map<std::string, std::string> usage;  // field -> JSON value
  std::vector<Block> blocks;
};

void merge_usage(element usage, MessageStream& m) {
  object o;
  if (usage.get(o) != simdjson::SUCCESS) return;
  for (auto [k, v] : o) m.usage[std::string(k)] = simdjson::minify(v);
}

bool block_at(element doc, MessageStream& m, Block*& out, std::string& error) {
  size_t i = 0;
  if (!index_of(doc, i)) {
    error = "content block event without a valid index";
    return false;
  }
  if (m.blocks.size() <= i) m.blocks.resize(i + 1);
  out = &m.blocks[i];
  return true;
}

bool add_block_delta(element delta, Block& b, std::string& error) {
  const std::string_view type = str(delta, "type");
  if (type == "text_delta") {
    b.text += str(delta, "text");
  } else if (type == "thinking_delta") {
    b.thinking += str(delta, "thinking");
  } else if (type == "signature_delta") {
    b.signature += str(delta, "signature");
  } else if (type == "input_json_delta") {
    b.input_json += str(delta, "partial_json");
  } else if (type == "citations_delta") {
    element c;
    if (delta["citation"].get(c) == simdjson::SUCCESS) b.citations.push_back(simdjson::minify(c));
  } else {
    error = "unknown content block delta";
    return false;
  }
  return true;
}

bool add_message_event(element doc, MessageStream& m, std::string& error) {
  const std::string_view type = str(doc, "type");
  if (type == "message_start") {
    element msg;
    if (doc["message"].get(msg) != simdjson::SUCCESS)
      return error = "message_start without message", false;
    m.started = true;
    m.id = str(msg, "id");
    m.model = str(msg, "model");
    if (std::string_view role = str(msg, "role"); !role.empty()) m.role = role;
    element usage;
    if (msg["usage"].get(usage) == simdjson::SUCCESS) merge_usage(usage, m);
    return true;
  }
  if (!m.started) return error = "event before message_start", false;
  Block* b = nullptr;
  if (type == "content_block_start") {
    element cb;
    if (!block_at(doc, m, b, error)) return false;
    if (doc["content_block"].get(cb) != simdjson::SUCCESS || !cb.is_object())
      return error = "content_block_start without content_block", false;
    b->seen = true;
    b->type = str(cb, "type");
    b->start = simdjson::minify(cb);
    b->text = str(cb, "text");
    b->thinking = str(cb, "thinking");
    b->signature = str(cb, "signature");
    b->id = str(cb, "id");
    b->name = str(cb, "name");
    return true;
  }
  if (type == "content_block_delta") {
    element delta;
    if (!block_at(doc, m, b, error)) return false;
    if (!b->seen || doc["delta"].get(delta) != simdjson::SUCCESS)
      return error = "content_block_delta out of place", false;
    return add_block_delta(delta, *b, error);
  }
  if (type == "content_block_stop") {
    if (!block_at(doc, m, b, error)) return false;
    b->stopped = true;
    return true;
  }
  if (type == "message_delta") {
    element delta, seq;
    if (doc["delta"].get(delta) == simdjson::SUCCESS) {
      if (std::string_view r = str(delta, "stop_reason"); !r.empty()) m.stop_reason = r;
      if (delta["stop_sequence"].get(seq) == simdjson::SUCCESS)
        m.stop_sequence = simdjson::minify(seq);
    }
    element usage;
    if (doc["usage"].get(usage) == simdjson::SUCCESS) merge_usage(usage, m);
    return true;
  }
  if (type == "message_stop") m.stopped = true;
  return true;  // ping and events a newer API adds carry no content
}

// One finished block into w; false when its tool input is not JSON.
bool write_block(JsonWriter& w, const Block& b, simdjson::dom::parser& parser, std::string& error) {
  if (b.type == "text") {
    w.begin_object().key("type").string("text").key("text").string(b.text);
    if (!b.citations.empty()) {
      w.key("citations").begin_array();
      for (const std::string& c : b.citations) w.raw(c);
      w.end_array();
    }
    w.end_object();
  } else if (b.type == "thinking") {
    w.begin_object().key("type").string("thinking").key("thinking").string(b.thinking);
    w.key("signature").string(b.signature).end_object();
  } else if (b.type == "tool_use" || b.type == "server_tool_use") {
    w.begin_object().key("type").string(b.type).key("id").string(b.id).key("name").string(b.name);
    w.key("input");
    if (b.input_json.empty()) {
      w.raw("{}");
    } else {
      element input;
      if (parser.parse(b.input_json).get(input) != simdjson::SUCCESS || !input.is_object())
        return error = "tool_use input is not a JSON object", false;
      w.element(input);
    }
    w.end_object();
  } else {
    w.raw(b.start);
  }
  return true;
}

}  // namespace

AssembledAnswer assemble_openai_chat_stream(std::string_view sse) {
  AssembledAnswer a;
  ChatStream s;
  if (!each_event(sse, a.error, [&](element doc, std::string_view, std::string& error) {
        return add_chunk(doc, s, error);
      })) {
    return a;
  }
  if (s.choices.empty()) return a.error = "stream has no choices", a;
  for (const Choice& c : s.choices) {
    if (!c.seen || c.finish_reason.empty()) return a.error = "stream ended before finish_reason", a;
  }
  JsonWriter w(a.body);
  w.begin_object().key("id").string(s.id).key("object").string("chat.completion");
  w.key("created").integer(s.created).key("model").string(s.model);
  if (!s.system_fingerprint.empty()) w.key("system_fingerprint").string(s.system_fingerprint);
  w.key("choices").begin_array();
  for (size_t i = 0; i < s.choices.size(); ++i) write_choice(w, i, s.choices[i]);
  w.end_array();
  if (!s.usage.empty()) w.key("usage").raw(s.usage);
  w.end_object();
  a.ok = true;
  return a;
}

AssembledAnswer assemble_anthropic_message_stream(std::string_view sse) {
  AssembledAnswer a;
  MessageStream m;
  if (!each_event(sse, a.error, [&](element doc, std::string_view, std::string& error) {
        return add_message_event(doc, m, error);
      })) {
    return a;
  }
  if (!m.stopped || m.stop_reason.empty()) return a.error = "stream ended before message_stop", a;
  JsonWriter w(a.body);
  w.begin_object().key("id").string(m.id).key("type").string("message");
  w.key("role").string(m.role).key("model").string(m.model).key("content").begin_array();
  simdjson::dom::parser parser;
  for (const Block& b : m.blocks) {
    if (!b.seen || !b.stopped) return a.body.clear(), a.error = "content block left open", a;
    if (!write_block(w, b, parser, a.error)) return a.body.clear(), a;
  }
  w.end_array().key("stop_reason").string(m.stop_reason).key("stop_sequence").raw(m.stop_sequence);
  w.key("usage").begin_object();
  for (const auto& [k, v] : m.usage) w.key(k).raw(v);
  w.end_object().end_object();
  a.ok = true;
  return a;
}

}  // namespace ringgate::providers
