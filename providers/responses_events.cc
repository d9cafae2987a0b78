#include "providers/responses_events.h"

#include <ctime>

#include "providers/json_access.h"
#include "providers/responses_object.h"

namespace ringgate::providers {

namespace {

std::string_view item_prefix(ResponsesItemKind kind) {
  switch (kind) {
    case ResponsesItemKind::kMessage:
      return "msg";
    case ResponsesItemKind::kFunctionCall:
      return "fc";
    case ResponsesItemKind::kCustomToolCall:
      return "ctc";
    case ResponsesItemKind::kReasoning:
      return "rs";
  }
  return "item";
}

// A custom tool's arguments are {"input": "..."}; anything else is passed on as the input itself
// so the client sees what the model wrote.
std::string custom_tool_input(std::string_view arguments) {
  json::element root, input;
  if (json::parse(json::ParserSlot::kNested, arguments, root) && json::is_object(root) &&
      json::field(json::as_object(root), "input", input) && json::is_string(input)) {
    return std::string(json::str(input));
  }
  return std::string(arguments);
}

}  // namespace

ResponsesEventWriter::ResponsesEventWriter(const StreamOptions& options)
    : id_(options.id.empty() ? "resp_ringgate" : options.id),
      model_(options.model),
      created_at_(options.created != 0 ? options.created : int64_t(std::time(nullptr))),
      echo_(options.responses_echo),
      namespaced_tools_(options.namespaced_tools) {}

ToolName ResponsesEventWriter::client_name(const Item& item) const {
  return client_tool_name(namespaced_tools_, item.name);
}

void ResponsesEventWriter::set_upstream_model(std::string_view model) {
  if (model_.empty()) model_ = model;
}

JsonWriter ResponsesEventWriter::begin_event(std::string& out, std::string_view type) {
  out += "event: ";
  out += type;
  out += "\ndata: ";
  JsonWriter w(out);
  w.begin_object().key("type").string(type).key("sequence_number").integer(sequence_++);
  return w;
}

void ResponsesEventWriter::end_event(JsonWriter& w) {
  w.end_object();
  w.out() += "\n\n";
}

JsonWriter ResponsesEventWriter::begin_item_event(std::string& out, std::string_view type,
                                                  const Item& item) {
  JsonWriter w = begin_event(out, type);
  w.key("item_id").string(item.id).key("output_index").integer(&item - items_.data());
  return w;
}

void ResponsesEventWriter::start(std::string& out) {
  if (started_) return;
  started_ = true;
  for (std::string_view type : {"response.created", "response.in_progress"}) {
    JsonWriter w = begin_event(out, type);
    w.key("response");
    Ending in_progress;
    in_progress.status = "in_progress";
    write_response(w, in_progress);
    end_event(w);
  }
}

void ResponsesEventWriter::write_item(JsonWriter& w, const Item& item, bool complete) const {
  switch (item.kind) {
    case ResponsesItemKind::kMessage:
      if (complete) {
        return write_message_item(w, item.id, item.text,
                                  item.cut_short ? "incomplete" : "completed");
      }
      w.begin_object().key("id").string(item.id).key("type").string("message");
      w.key("status").string("in_progress").key("role").string("assistant");
      w.key("content").begin_array().end_array().end_object();
      return;
    case ResponsesItemKind::kFunctionCall:
      if (complete) {
        return write_function_call_item(w, item.id, item.call_id, client_name(item), item.text);
      }
      break;
    case ResponsesItemKind::kCustomToolCall:
      if (complete) {
        return write_custom_tool_call_item(w, item.id, item.call_id, client_name(item), item.text);
      }
      break;
    case ResponsesItemKind::kReasoning:
      if (complete) {
        return write_reasoning_item(w, item.id, item.redacted ? "" : item.text,
                                    item.encrypted_content);
      }
      w.begin_object().key("id").string(item.id).key("type").string("reasoning");
      w.key("summary").begin_array().end_array().end_object();
      return;
  }
  // A call in progress: its arguments (or input) are still streaming.
  const bool custom = item.kind == ResponsesItemKind::kCustomToolCall;
  w.begin_object().key("id").string(item.id);
  w.key("type").string(custom ? "custom_tool_call" : "function_call");
  w.key("status").string("in_progress").key("call_id").string(item.call_id);
  write_tool_name(w, client_name(item));
  w.key(custom ? "input" : "arguments").string("").end_object();
}

int ResponsesEventWriter::open_item(std::string& out, ResponsesItemKind kind,
                                    std::string_view call_id, std::string_view name) {
  return open(out, kind, call_id, name, false);
}

int ResponsesEventWriter::open(std::string& out, ResponsesItemKind kind, std::string_view call_id,
                               std::string_view name, bool redacted) {
  start(out);
  const int index = int(items_.size());
  Item& item = items_.emplace_back();
  item.kind = kind;
  item.open = true;
  item.id = responses_item_id(item_prefix(kind), id_, size_t(index));
  item.call_id = call_id;
  // A call the upstream gave no id (some servers omit it) still needs one its output can name.
  if (kind != ResponsesItemKind::kMessage && kind != ResponsesItemKind::kReasoning &&
      call_id.empty()) {
    item.call_id = "call_" + item.id;
  }
  item.name = name;
  item.redacted = redacted;
  {
    JsonWriter w = begin_event(out, "response.output_item.added");
    w.key("output_index").integer(index).key("item");
    write_item(w, item, false);
    end_event(w);
  }
  if (kind == ResponsesItemKind::kMessage) {
    JsonWriter w = begin_item_event(out, "response.content_part.added", item);
    w.key("content_index").integer(0).key("part").begin_object();
    w.key("type").string("output_text").key("text").string("");
    w.key("annotations").begin_array().end_array().end_object();
    end_event(w);
  } else if (kind == ResponsesItemKind::kReasoning && !redacted) {
    JsonWriter w = begin_item_event(out, "response.reasoning_summary_part.added", item);
    w.key("summary_index").integer(0).key("part").begin_object();
    w.key("type").string("summary_text").key("text").string("").end_object();
    end_event(w);
  }
  return index;
}

bool ResponsesEventWriter::is_open(int item) const {
  return item >= 0 && size_t(item) < items_.size() && items_[size_t(item)].open;
}

void ResponsesEventWriter::delta(std::string& out, int index, std::string_view text) {
  if (!is_open(index) || text.empty()) return;
  Item& item = items_[size_t(index)];
  if (item.kind != ResponsesItemKind::kCustomToolCall) item.text += text;
  switch (item.kind) {
    case ResponsesItemKind::kMessage: {
      JsonWriter w = begin_item_event(out, "response.output_text.delta", item);
      w.key("content_index").integer(0).key("delta").string(text);
      w.key("logprobs").begin_array().end_array();
      end_event(w);
      break;
    }
    case ResponsesItemKind::kFunctionCall: {
      JsonWriter w = begin_item_event(out, "response.function_call_arguments.delta", item);
      w.key("delta").string(text);
      end_event(w);
      break;
    }
    case ResponsesItemKind::kCustomToolCall: {
      item.raw_arguments += text;
      decoded_.clear();
      item.input_decoder.feed(text, decoded_);
      if (!item.input_decoder.ok() || decoded_.empty()) break;
      item.text += decoded_;
      JsonWriter w = begin_item_event(out, "response.custom_tool_call_input.delta", item);
      w.key("delta").string(decoded_);
      end_event(w);
      break;
    }
    case ResponsesItemKind::kReasoning: {
      JsonWriter w = begin_item_event(out, "response.reasoning_summary_text.delta", item);
      w.key("summary_index").integer(0).key("delta").string(text);
      end_event(w);
      break;
    }
  }
}

void ResponsesEventWriter::set_encrypted_content(int item, std::string_view value) {
  if (is_open(item)) items_[size_t(item)].encrypted_content += value;
}

void ResponsesEventWriter::add_redacted_reasoning(std::string& out, std::string_view data) {
  const int index = open(out, ResponsesItemKind::kReasoning, {}, {}, true);
  Item& item = items_[size_t(index)];
  item.encrypted_content = "redacted:";
  item.encrypted_content += data;
  close_item(out, index);
}

void ResponsesEventWriter::close_message(std::string& out, const Item& item) {
  {
    JsonWriter w = begin_item_event(out, "response.output_text.done", item);
    w.key("content_index").integer(0).key("text").string(item.text);
    w.key("logprobs").begin_array().end_array();
    end_event(w);
  }
  JsonWriter w = begin_item_event(out, "response.content_part.done", item);
  w.key("content_index").integer(0).key("part").begin_object();
  w.key("type").string("output_text").key("text").string(item.text);
  w.key("annotations").begin_array().end_array().end_object();
  end_event(w);
}

void ResponsesEventWriter::close_reasoning(std::string& out, const Item& item) {
  {
    JsonWriter w = begin_item_event(out, "response.reasoning_summary_text.done", item);
    w.key("summary_index").integer(0).key("text").string(item.text);
    end_event(w);
  }
  JsonWriter w = begin_item_event(out, "response.reasoning_summary_part.done", item);
  w.key("summary_index").integer(0).key("part").begin_object();
  w.key("type").string("summary_text").key("text").string(item.text).end_object();
  end_event(w);
}

void ResponsesEventWriter::close_custom_call(std::string& out, Item& item) {
  if (!item.input_decoder.ok() || !item.input_decoder.complete()) {
    // Not the {"input": "..."} the request asked for: the whole arguments are parsed, and what
    // was not streamed yet goes out as one last delta.
    std::string input = custom_tool_input(item.raw_arguments);
    if (input.size() > item.text.size() && input.starts_with(item.text)) {
      JsonWriter w = begin_item_event(out, "response.custom_tool_call_input.delta", item);
      w.key("delta").string(std::string_view(input).substr(item.text.size()));
      end_event(w);
    }
    item.text = std::move(input);
  }
  std::string().swap(item.raw_arguments);
  JsonWriter w = begin_item_event(out, "response.custom_tool_call_input.done", item);
  w.key("input").string(item.text);
  end_event(w);
}

void ResponsesEventWriter::close_item(std::string& out, int index, bool cut_short) {
  if (!is_open(index) || done_) return;
  Item& item = items_[size_t(index)];
  item.open = false;
  item.cut_short = cut_short;
  switch (item.kind) {
    case ResponsesItemKind::kMessage:
      close_message(out, item);
      break;
    case ResponsesItemKind::kFunctionCall: {
      JsonWriter w = begin_item_event(out, "response.function_call_arguments.done", item);
      write_tool_name(w, client_name(item));
      w.key("arguments").string(item.text);
      end_event(w);
      break;
    }
    case ResponsesItemKind::kCustomToolCall:
      close_custom_call(out, item);
      break;
    case ResponsesItemKind::kReasoning:
      if (!item.redacted) close_reasoning(out, item);
      break;
  }
  JsonWriter item_writer(item.json);
  write_item(item_writer, item, true);
  std::string().swap(item.text);  // the item's JSON has it now
  JsonWriter w = begin_event(out, "response.output_item.done");
  w.key("output_index").integer(index).key("item").raw(item.json);
  end_event(w);
}

void ResponsesEventWriter::close_open_items(std::string& out, bool cut_short) {
  for (size_t i = 0; i < items_.size(); ++i) close_item(out, int(i), cut_short);
}

std::string ResponsesEventWriter::items_json() const {
  std::string json;
  for (const Item& item : items_) {
    if (item.json.empty()) continue;
    if (!json.empty()) json += ',';
    json += item.json;
  }
  return json;
}

void ResponsesEventWriter::write_response(JsonWriter& w, const Ending& ending) const {
  ResponsesEnvelope envelope;
  envelope.id = id_;
  envelope.created_at = created_at_;
  envelope.status = ending.status;
  envelope.incomplete_reason = ending.incomplete_reason;
  std::string error, output;
  if (!ending.error_message.empty()) {
    JsonWriter e(error);
    e.begin_object().key("code").string("server_error");
    e.key("message").string(ending.error_message).end_object();
  }
  envelope.error = error;
  envelope.model = model_;
  envelope.echo = echo_;
  if (ending.status != "in_progress") {
    output = '[';
    output += items_json();
    output += ']';
  }
  envelope.output = output;
  envelope.usage = ending.usage;
  envelope.reasoning_tokens = ending.reasoning_tokens;
  write_responses_object(w, envelope);
}

void ResponsesEventWriter::complete(std::string& out, const TokenUsage& usage,
                                    int64_t reasoning_tokens, std::string_view incomplete_reason) {
  if (done_) return;
  start(out);
  close_open_items(out, !incomplete_reason.empty());
  output_items_ = '[';
  output_items_ += items_json();
  output_items_ += ']';
  const bool incomplete = !incomplete_reason.empty();
  JsonWriter w = begin_event(out, incomplete ? "response.incomplete" : "response.completed");
  w.key("response");
  Ending ending;
  ending.status = incomplete ? "incomplete" : "completed";
  ending.incomplete_reason = incomplete_reason;
  ending.usage = &usage;
  ending.reasoning_tokens = reasoning_tokens;
  write_response(w, ending);
  end_event(w);
  done_ = true;
}

void ResponsesEventWriter::fail(std::string& out, std::string_view code, std::string_view message) {
  if (done_) return;
  start(out);
  if (message.empty()) message = "upstream stream failed";
  {
    JsonWriter w = begin_event(out, "error");
    w.key("code").string(code.empty() ? "server_error" : code).key("message").string(message);
    w.key("param").null();
    end_event(w);
  }
  // Open items are not closed: their `.done` events would present a partial answer as whole.
  JsonWriter w = begin_event(out, "response.failed");
  w.key("response");
  Ending failed;
  failed.status = "failed";
  failed.error_message = message;
  write_response(w, failed);
  end_event(w);
  done_ = true;
}

}  // namespace ringgate::providers
