#include "providers/usage/usage_counter.h"

#include "providers/json_access.h"

namespace ringgate::providers {

using json::array;
using json::element;
using json::object;

namespace {

// Sums token counts of the pieces of one request.
struct Tally {
  const tokenizer::BpeTokenizer& tok;
  int64_t total = 0;

  void text(std::string_view s) { total += int64_t(tok.count(s)); }
  void json_value(element e) {
    if (json::is_string(e)) return text(json::str(e));
    text(simdjson::minify(e));
  }
  // A string, or the text of an array of parts ({"type": "text"|"input_text"|..., "text": ...}).
  void content(element e) {
    if (json::is_string(e)) return text(json::str(e));
    if (!json::is_array(e)) return;
    for (element part : json::as_array(e)) {
      if (json::is_string(part)) {
        text(json::str(part));
      } else if (json::is_object(part)) {
        text(json::field_string(json::as_object(part), "text"));
      }
    }
  }
  void message_framing(std::string_view role) {
    total += UsageCounter::kTokensPerMessage;
    text(role);
  }
};

void count_function(Tally& t, object fn) {
  t.text(json::field_string(fn, "name"));
  t.text(json::field_string(fn, "arguments"));
}

void count_chat_message(Tally& t, object m) {
  t.message_framing(json::field_string(m, "role"));
  element e;
  if (json::field(m, "content", e)) t.content(e);
  if (std::string_view name = json::field_string(m, "name"); !name.empty()) {
    t.text(name);
    t.total += UsageCounter::kTokensPerName;
  }
  if (json::field(m, "tool_calls", e) && json::is_array(e)) {
    for (element call : json::as_array(e)) {
      element fn;
      if (json::is_object(call) && json::field(json::as_object(call), "function", fn) &&
          json::is_object(fn)) {
        count_function(t, json::as_object(fn));
      }
    }
  }
  if (json::field(m, "function_call", e) && json::is_object(e)) {
    count_function(t, json::as_object(e));
  }
}

void count_chat(Tally& t, object body) {
  element msgs;
  if (json::field(body, "messages", msgs) && json::is_array(msgs)) {
    for (element m : json::as_array(msgs)) {
      if (json::is_object(m)) count_chat_message(t, json::as_object(m));
    }
  }
  t.total += UsageCounter::kReplyPriming;
}

void count_anthropic_block(Tally& t, object block) {
  const std::string_view type = json::field_string(block, "type");
  element e;
  if (type == "text") {
    t.text(json::field_string(block, "text"));
  } else if (type == "tool_use") {
    t.text(json::field_string(block, "name"));
    if (json::field(block, "input", e)) t.json_value(e);
  } else if (type == "tool_result") {
    if (json::field(block, "content", e)) t.content(e);
  }
}

void count_anthropic_content(Tally& t, element content) {
  if (json::is_string(content)) return t.text(json::str(content));
  if (!json::is_array(content)) return;
  for (element b : json::as_array(content)) {
    if (json::is_object(b)) count_anthropic_block(t, json::as_object(b));
  }
}

void count_anthropic(Tally& t, object body) {
  element e;
  if (json::field(body, "system", e)) {
    t.message_framing("system");
    count_anthropic_content(t, e);
  }
  if (json::field(body, "messages", e) && json::is_array(e)) {
    for (element m : json::as_array(e)) {
      if (!json::is_object(m)) continue;
      const object msg = json::as_object(m);
      t.message_framing(json::field_string(msg, "role"));
      element content;
      if (json::field(msg, "content", content)) count_anthropic_content(t, content);
    }
  }
  t.total += UsageCounter::kReplyPriming;
}

void count_responses_item(Tally& t, object item) {
  const std::string_view type = json::field_string(item, "type");
  element e;
  if (type == "function_call") {
    t.total += UsageCounter::kTokensPerMessage;
    count_function(t, item);
  } else if (type == "function_call_output") {
    t.total += UsageCounter::kTokensPerMessage;
    if (json::field(item, "output", e)) t.content(e);
  } else if (type.empty() || type == "message") {
    t.message_framing(json::field_string(item, "role"));
    if (json::field(item, "content", e)) t.content(e);
  }
}

void count_responses(Tally& t, object body) {
  element e;
  if (std::string_view s = json::field_string(body, "instructions"); !s.empty()) {
    t.message_framing("system");
    t.text(s);
  }
  if (json::field(body, "input", e)) {
    if (json::is_string(e)) {
      t.message_framing("user");
      t.text(json::str(e));
    } else if (json::is_array(e)) {
      for (element item : json::as_array(e)) {
        if (json::is_object(item)) count_responses_item(t, json::as_object(item));
      }
    }
  }
  t.total += UsageCounter::kReplyPriming;
}

// A string, an array of strings, an array of token ids, or an array of such arrays.
void count_inputs(Tally& t, element e, int depth = 0) {
  if (json::is_string(e)) return t.text(json::str(e));
  if (json::is_integer(e)) {
    t.total += 1;  // a token id
    return;
  }
  if (!json::is_array(e) || depth > 1) return;
  for (element x : json::as_array(e)) count_inputs(t, x, depth + 1);
}

}  // namespace

std::optional<int64_t> UsageCounter::count_prompt(UsageShape shape, std::string_view body,
                                                  std::string_view model) {
  if (!enabled() || body.empty()) return std::nullopt;
  scratch_.assign(body.data(), body.size());
  scratch_.append(simdjson::SIMDJSON_PADDING, '\0');
  element root;
  if (parser_.parse(scratch_.data(), body.size(), false).get(root) || !json::is_object(root)) {
    return std::nullopt;
  }
  const object doc = json::as_object(root);
  if (model.empty()) model = json::field_string(doc, "model");
  const tokenizer::BpeTokenizer* tok = tokenizers_->for_model(model);
  if (!tok) return std::nullopt;
  Tally t{*tok};
  element e;
  switch (shape) {
    case UsageShape::kOpenAiChat:
      count_chat(t, doc);
      break;
    case UsageShape::kAnthropicMessages:
      count_anthropic(t, doc);
      break;
    case UsageShape::kOpenAiResponses:
      count_responses(t, doc);
      break;
    case UsageShape::kOpenAiCompletions:
      if (json::field(doc, "prompt", e)) count_inputs(t, e);
      break;
    case UsageShape::kOpenAiEmbeddings:
      if (json::field(doc, "input", e)) count_inputs(t, e);
      break;
  }
  return t.total;
}

std::optional<int64_t> UsageCounter::count_text(std::string_view model,
                                                std::string_view text) const {
  if (!enabled()) return std::nullopt;
  const tokenizer::BpeTokenizer* tok = tokenizers_->for_model(model);
  if (!tok) return std::nullopt;
  return int64_t(tok->count(text));
}

}  // namespace ringgate::providers
