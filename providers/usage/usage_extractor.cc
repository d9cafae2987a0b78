#include "providers/usage/usage_extractor.h"

#include <algorithm>

#include "providers/json_access.h"

namespace ringgate::providers {

using json::element;
using json::element_type;
using json::object;

namespace {

// A token count: integers clamped to [0, kMaxTokenCount]; absent, null, floats, strings and
// other types are "not given" (false), so a hostile field never moves a number.
bool read_count(object o, std::string_view key, int64_t& out) {
  element e;
  if (!json::field(o, key, e)) return false;
  if (e.type() == element_type::INT64) {
    out = std::clamp<int64_t>(e.get_int64().value_unsafe(), 0, Usage::kMaxTokenCount);
    return true;
  }
  if (e.type() == element_type::UINT64) {  // above INT64_MAX
    out = Usage::kMaxTokenCount;
    return true;
  }
  return false;
}

bool sub_object(object o, std::string_view key, object& out) {
  element e;
  if (!json::field(o, key, e) || !json::is_object(e)) return false;
  out = json::as_object(e);
  return true;
}

bool sub_count(object o, std::string_view details, std::string_view key, int64_t& out) {
  object d;
  return sub_object(o, details, d) && read_count(d, key, out);
}

// Cuts at a UTF-8 character boundary so a cut name is still valid UTF-8 when it was.
void set_name(std::string& dst, std::string_view value) {
  if (value.size() > Usage::kMaxNameBytes) {
    size_t n = Usage::kMaxNameBytes;
    while (n > 0 && (static_cast<unsigned char>(value[n]) & 0xC0) == 0x80) --n;
    value = value.substr(0, n);
  }
  dst.assign(value.data(), value.size());
}

// Sets dst from a non-empty string field; anything else leaves dst as it was.
void take_name(object o, std::string_view key, std::string& dst) {
  const std::string_view v = json::field_string(o, key);
  if (!v.empty()) set_name(dst, v);
}

// OpenAI chat / completions / embeddings usage. Replaces the whole record: the last usage object
// of a stream is the total (see the header), so nothing may survive from an earlier one.
void read_openai_usage(object u, Usage& out) {
  int64_t prompt = 0, completion = 0, cached = 0, reasoning = 0;
  read_count(u, "prompt_tokens", prompt);
  read_count(u, "completion_tokens", completion);
  if (!sub_count(u, "prompt_tokens_details", "cached_tokens", cached)) {
    read_count(u, "prompt_cache_hit_tokens", cached);  // DeepSeek
  }
  sub_count(u, "completion_tokens_details", "reasoning_tokens", reasoning);
  cached = std::min(cached, prompt);
  out.input_tokens = prompt - cached;
  out.cached_input_tokens = cached;
  out.cache_creation_tokens = 0;
  out.output_tokens = completion;
  out.reasoning_tokens = reasoning;
  out.reported = true;
}

// Responses API usage; replaces the record like read_openai_usage.
void read_responses_usage(object u, Usage& out) {
  int64_t input = 0, output = 0, cached = 0, reasoning = 0;
  read_count(u, "input_tokens", input);
  read_count(u, "output_tokens", output);
  sub_count(u, "input_tokens_details", "cached_tokens", cached);
  sub_count(u, "output_tokens_details", "reasoning_tokens", reasoning);
  cached = std::min(cached, input);
  out.input_tokens = input - cached;
  out.cached_input_tokens = cached;
  out.cache_creation_tokens = 0;
  out.output_tokens = output;
  out.reasoning_tokens = reasoning;
  out.reported = true;
}

// Anthropic usage: the counts are cumulative and message_delta may carry only some of them, so a
// field that is present overrides and an absent one keeps the earlier value.
void merge_anthropic_usage(object u, Usage& out) {
  read_count(u, "input_tokens", out.input_tokens);
  read_count(u, "cache_read_input_tokens", out.cached_input_tokens);
  read_count(u, "cache_creation_input_tokens", out.cache_creation_tokens);
  read_count(u, "output_tokens", out.output_tokens);
  out.reported = true;
}

void read_responses_object(object r, Usage& out) {
  take_name(r, "model", out.model);
  const std::string_view status = json::field_string(r, "status");
  // A response still running has no finish reason yet; a cut stream keeps "".
  if (!status.empty() && status != "in_progress" && status != "queued") {
    set_name(out.finish_reason, status);
    object details;
    if (sub_object(r, "incomplete_details", details))
      take_name(details, "reason", out.finish_reason);
  }
  object u;
  if (sub_object(r, "usage", u)) read_responses_usage(u, out);
}

void read_anthropic_message(object m, Usage& out) {
  take_name(m, "model", out.model);
  take_name(m, "stop_reason", out.finish_reason);
  object u;
  if (sub_object(m, "usage", u)) merge_anthropic_usage(u, out);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_responses_snapshot(std::string_view type) {
  return type == "response.created" || type == "response.in_progress" ||
         type == "response.queued" || type == "response.completed" ||
         type == "response.incomplete" || type == "response.failed";
}

bool is_responses_text_delta(std::string_view type) {
  return type == "response.output_text.delta" || type == "response.function_call_arguments.delta";
}

bool is_responses_terminal(std::string_view type) {
  return type == "response.completed" || type == "response.incomplete" || type == "response.failed";
}

// --- The fallback scan over the raw bytes of a body too large to parse. ---

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Where the value of the key occurrence whose opening quote is at `at` starts, or npos when that
// occurrence is not a key (escaped quote inside a string, no colon after it).
size_t value_after_key(std::string_view text, size_t at, size_t needle_size) {
  if (at > 0 && text[at - 1] == '\\') return std::string_view::npos;
  size_t i = at + needle_size;
  while (i < text.size() && is_space(text[i])) ++i;
  if (i >= text.size() || text[i] != ':') return std::string_view::npos;
  ++i;
  while (i < text.size() && is_space(text[i])) ++i;
  return i < text.size() ? i : std::string_view::npos;
}

// A string value without escapes starting at `at` (the opening quote), or false.
bool plain_string_at(std::string_view text, size_t at, std::string_view& out) {
  if (text[at] != '"') return false;
  for (size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\') return false;
    if (text[i] == '"') {
      out = text.substr(at + 1, i - at - 1);
      return true;
    }
  }
  return false;
}

// The first (or last) plain string value of `quoted_key` (the key with its quotes) in text.
bool find_string_value(std::string_view text, std::string_view quoted_key, bool last,
                       std::string_view& out) {
  size_t at = last ? text.rfind(quoted_key) : text.find(quoted_key);
  while (at != std::string_view::npos) {
    const size_t v = value_after_key(text, at, quoted_key.size());
    if (v != std::string_view::npos && plain_string_at(text, v, out) && !out.empty()) return true;
    if (last) {
      if (at == 0) break;
      at = text.rfind(quoted_key, at - 1);
    } else {
      at = text.find(quoted_key, at + 1);
    }
  }
  return false;
}

// The balanced {...} starting at `at`, aware of strings and escapes; "" when text ends first.
std::string_view object_at(std::string_view text, size_t at) {
  if (text[at] != '{') return {};
  int depth = 0;
  bool in_string = false;
  for (size_t i = at; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      return text.substr(at, i - at + 1);
    }
  }
  return {};
}

}  // namespace

UsageExtractor::UsageExtractor(Limits limits) : limits_(limits), framer_(limits.max_event_bytes) {}

void UsageExtractor::reset(UsageShape shape, bool streamed) {
  shape_ = shape;
  streamed_ = streamed;
  finished_ = body_over_cap_ = have_choice0_finish_ = false;
  malformed_events_ = 0;
  usage_.clear();
  framer_.reset();
  body_.clear();
  tail_.clear();
  text_.clear();
  generated_bytes_ = 0;
}

void UsageExtractor::feed(std::string_view piece) {
  if (finished_ || piece.empty()) return;
  if (streamed_) {
    framer_.feed(
        piece, [this](const protocol::SseEvent& e) { on_event(e.event, e.data); },
        [this] { usage_.truncated = true; });
    return;
  }
  if (!body_over_cap_) {
    const size_t room = limits_.max_body_bytes - body_.size();
    if (piece.size() <= room) {
      body_.append(piece.data(), piece.size());
      return;
    }
    body_.append(piece.data(), room);
    piece.remove_prefix(room);
    body_over_cap_ = true;
    usage_.truncated = true;
    const size_t keep = std::min(limits_.tail_bytes, body_.size());
    tail_.assign(body_.data() + body_.size() - keep, keep);
  }
  // tail_ stays a suffix of the body at least tail_bytes long (or the whole body), and at most
  // twice that: trimming only now and then keeps the copying linear.
  if (piece.size() >= limits_.tail_bytes) {
    tail_.assign(piece.data() + piece.size() - limits_.tail_bytes, limits_.tail_bytes);
    return;
  }
  tail_.append(piece.data(), piece.size());
  if (tail_.size() > 2 * limits_.tail_bytes) tail_.erase(0, tail_.size() - limits_.tail_bytes);
}

const Usage& UsageExtractor::finish() {
  if (finished_) return usage_;
  if (streamed_) {
    // Ends an event left open by a stream that stopped without its final blank line.
    feed("\n\n");
  } else if (body_over_cap_) {
    read_fallback();
  } else {
    const size_t n = body_.size();
    body_.append(simdjson::SIMDJSON_PADDING, '\0');
    element root;
    if (n > 0 && !parser_.parse(body_.data(), n, false).get(root)) {
      if (json::is_object(root)) read_body(json::as_object(root));
      usage_.complete = true;
    }
    body_.resize(n);
  }
  finished_ = true;
  return usage_;
}

bool UsageExtractor::parse_padded(std::string_view text, element& root) {
  if (text.empty()) return false;
  scratch_.assign(text.data(), text.size());
  scratch_.append(simdjson::SIMDJSON_PADDING, '\0');
  return !parser_.parse(scratch_.data(), text.size(), false).get(root);
}

void UsageExtractor::on_event(std::string_view event_name, std::string_view data) {
  switch (shape_) {
    case UsageShape::kOpenAiChat:
    case UsageShape::kOpenAiCompletions:
    case UsageShape::kOpenAiEmbeddings: {
      if (trim(data) == "[DONE]") {
        usage_.complete = true;
        return;
      }
      break;
    }
    case UsageShape::kOpenAiResponses:
      // The deltas are most of a stream and carry nothing for accounting.
      if (!event_name.empty() && !is_responses_snapshot(event_name) &&
          !(text_limit_ && is_responses_text_delta(event_name))) {
        return;
      }
      break;
    case UsageShape::kAnthropicMessages:
      if (event_name == "ping" || event_name == "content_block_stop" ||
          (!text_limit_ &&
           (event_name == "content_block_start" || event_name == "content_block_delta"))) {
        return;
      }
      break;
  }
  element root;
  if (!parse_padded(data, root)) {
    ++malformed_events_;
    return;
  }
  if (!json::is_object(root)) return;
  const object ev = json::as_object(root);
  std::string_view type = json::field_string(ev, "type");
  if (type.empty()) type = event_name;
  switch (shape_) {
    case UsageShape::kOpenAiChat:
    case UsageShape::kOpenAiCompletions:
    case UsageShape::kOpenAiEmbeddings:
      read_openai_chunk(ev);
      break;
    case UsageShape::kOpenAiResponses:
      read_responses_event(type, ev);
      break;
    case UsageShape::kAnthropicMessages:
      read_anthropic_event(type, ev);
      break;
  }
}

void UsageExtractor::set_finish_reason_from_choices(object chunk) {
  element choices;
  if (!json::field(chunk, "choices", choices) || !json::is_array(choices)) return;
  for (element c : json::as_array(choices)) {
    if (!json::is_object(c)) continue;
    const object choice = json::as_object(c);
    const std::string_view reason = json::field_string(choice, "finish_reason");
    if (reason.empty()) continue;
    element index;
    const bool first = !json::field(choice, "index", index) ||
                       (json::is_integer(index) && json::integer(index) == 0);
    if (first) {
      have_choice0_finish_ = true;
      set_name(usage_.finish_reason, reason);
    } else if (!have_choice0_finish_) {
      set_name(usage_.finish_reason, reason);
    }
  }
}

void UsageExtractor::read_openai_chunk(object chunk) {
  take_name(chunk, "model", usage_.model);
  set_finish_reason_from_choices(chunk);
  if (text_limit_) collect_choices(chunk);
  object u;
  if (sub_object(chunk, "usage", u)) read_openai_usage(u, usage_);
}

void UsageExtractor::read_responses_event(std::string_view type, object ev) {
  if (!is_responses_snapshot(type)) {
    if (text_limit_) collect_responses_delta(type, ev);
    return;
  }
  object r;
  if (sub_object(ev, "response", r)) read_responses_object(r, usage_);
  if (is_responses_terminal(type)) usage_.complete = true;
}

void UsageExtractor::read_anthropic_event(std::string_view type, object ev) {
  if (text_limit_) collect_anthropic_event(type, ev);
  if (type == "message_start") {
    object m;
    if (sub_object(ev, "message", m)) read_anthropic_message(m, usage_);
  } else if (type == "message_delta") {
    object part;
    if (sub_object(ev, "delta", part)) take_name(part, "stop_reason", usage_.finish_reason);
    if (sub_object(ev, "usage", part)) merge_anthropic_usage(part, usage_);
  } else if (type == "message_stop") {
    usage_.complete = true;
  }
}

void UsageExtractor::read_body(object body) {
  switch (shape_) {
    case UsageShape::kOpenAiChat:
    case UsageShape::kOpenAiCompletions:
    case UsageShape::kOpenAiEmbeddings:
      read_openai_chunk(body);
      break;
    case UsageShape::kOpenAiResponses:
      read_responses_object(body, usage_);
      if (text_limit_) collect_responses_output(body);
      break;
    case UsageShape::kAnthropicMessages:
      read_anthropic_message(body, usage_);
      if (text_limit_) collect_anthropic_content(body);
      break;
  }
}

// --- Generated text, for counting output tokens (see the header). ---

void UsageExtractor::collect(std::string_view text) {
  generated_bytes_ += text.size();
  if (text_.size() >= text_limit_) return;
  text_.append(text.data(), std::min(text.size(), text_limit_ - text_.size()));
}

// Stream chunks carry `delta`, bodies `message`; legacy completions carry `text`.
void UsageExtractor::collect_choices(object chunk) {
  element choices;
  if (!json::field(chunk, "choices", choices) || !json::is_array(choices)) return;
  for (element c : json::as_array(choices)) {
    if (!json::is_object(c)) continue;
    const object choice = json::as_object(c);
    collect(json::field_string(choice, "text"));
    object m;
    if (!sub_object(choice, "delta", m) && !sub_object(choice, "message", m)) continue;
    collect(json::field_string(m, "content"));
    collect(json::field_string(m, "reasoning_content"));
    element calls;
    if (!json::field(m, "tool_calls", calls) || !json::is_array(calls)) continue;
    for (element call : json::as_array(calls)) {
      object fn;
      if (!json::is_object(call) || !sub_object(json::as_object(call), "function", fn)) continue;
      collect(json::field_string(fn, "name"));
      collect(json::field_string(fn, "arguments"));
    }
  }
}

void UsageExtractor::collect_responses_delta(std::string_view type, object ev) {
  if (is_responses_text_delta(type)) collect(json::field_string(ev, "delta"));
}

void UsageExtractor::collect_responses_output(object response) {
  element output;
  if (!json::field(response, "output", output) || !json::is_array(output)) return;
  for (element it : json::as_array(output)) {
    if (!json::is_object(it)) continue;
    const object item = json::as_object(it);
    if (json::field_string(item, "type") == "function_call") {
      collect(json::field_string(item, "name"));
      collect(json::field_string(item, "arguments"));
      continue;
    }
    element content;
    if (!json::field(item, "content", content) || !json::is_array(content)) continue;
    for (element part : json::as_array(content)) {
      if (json::is_object(part)) collect(json::field_string(json::as_object(part), "text"));
    }
  }
}

void UsageExtractor::collect_anthropic_event(std::string_view type, object ev) {
  object part;
  if (type == "content_block_start" && sub_object(ev, "content_block", part)) {
    collect(json::field_string(part, "name"));  // a tool_use block's name
  } else if (type == "content_block_delta" && sub_object(ev, "delta", part)) {
    collect(json::field_string(part, "text"));
    collect(json::field_string(part, "thinking"));
    collect(json::field_string(part, "partial_json"));
  }
}

void UsageExtractor::collect_anthropic_content(object message) {
  element content;
  if (!json::field(message, "content", content) || !json::is_array(content)) return;
  for (element b : json::as_array(content)) {
    if (!json::is_object(b)) continue;
    const object block = json::as_object(b);
    collect(json::field_string(block, "text"));
    collect(json::field_string(block, "thinking"));
    if (json::field_string(block, "type") != "tool_use") continue;
    collect(json::field_string(block, "name"));
    element input;
    if (json::field(block, "input", input)) collect(simdjson::minify(input));
  }
}

void UsageExtractor::read_fallback() {
  const std::string_view head = body_;
  std::string_view tail = tail_;
  if (tail.size() > limits_.tail_bytes) tail.remove_prefix(tail.size() - limits_.tail_bytes);

  std::string_view s;
  if (find_string_value(head, "\"model\"", false, s) ||
      find_string_value(tail, "\"model\"", true, s)) {
    set_name(usage_.model, s);
  }
  switch (shape_) {
    case UsageShape::kOpenAiChat:
    case UsageShape::kOpenAiCompletions:
      if (find_string_value(tail, "\"finish_reason\"", true, s)) set_name(usage_.finish_reason, s);
      break;
    case UsageShape::kAnthropicMessages:
      if (find_string_value(tail, "\"stop_reason\"", true, s)) set_name(usage_.finish_reason, s);
      break;
    case UsageShape::kOpenAiResponses:
      if (find_string_value(head, "\"status\"", false, s) && s != "in_progress" && s != "queued") {
        set_name(usage_.finish_reason, s);
      }
      break;
    case UsageShape::kOpenAiEmbeddings:
      break;
  }

  constexpr std::string_view kKey = "\"usage\"";
  for (size_t at = tail.rfind(kKey); at != std::string_view::npos;
       at = at == 0 ? std::string_view::npos : tail.rfind(kKey, at - 1)) {
    const size_t v = value_after_key(tail, at, kKey.size());
    if (v == std::string_view::npos) continue;
    const std::string_view text = object_at(tail, v);
    element root;
    if (text.empty() || !parse_padded(text, root) || !json::is_object(root)) continue;
    const object u = json::as_object(root);
    switch (shape_) {
      case UsageShape::kOpenAiChat:
      case UsageShape::kOpenAiCompletions:
      case UsageShape::kOpenAiEmbeddings:
        read_openai_usage(u, usage_);
        break;
      case UsageShape::kOpenAiResponses:
        read_responses_usage(u, usage_);
        break;
      case UsageShape::kAnthropicMessages:
        merge_anthropic_usage(u, usage_);
        break;
    }
    return;
  }
}

}  // namespace ringgate::providers
