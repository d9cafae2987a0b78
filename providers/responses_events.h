#pragma once

// The OpenAI Responses API stream, written from whatever upstream produced the answer: the event
// envelope (`event: <type>`, `"type"`, `"sequence_number"` from 0), the response object, the
// output items and their lifecycle events. AnthropicToResponsesStream and ChatToResponsesStream
// parse their upstream's events and drive this writer; it is the one place that knows the
// Responses event shapes.
//
// What is held: each open item's text (the protocol's `.done` events repeat it whole) and the
// closed items as JSON (response.completed repeats them all). Deltas are written as they come.
// The response object and the complete items are providers/responses_object.h's, shared with
// the non-streaming translator, so the stream's final object and a body agree.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "providers/json_writer.h"
#include "providers/responses_object.h"
#include "providers/streamed_string_field.h"
#include "providers/translation_types.h"

namespace ringgate::providers {

enum class ResponsesItemKind : uint8_t { kMessage, kFunctionCall, kCustomToolCall, kReasoning };

class ResponsesEventWriter {
 public:
  explicit ResponsesEventWriter(const StreamOptions& options);

  // Before start(): the upstream's model (used when the options name none).
  void set_upstream_model(std::string_view model);
  bool started() const { return started_; }
  bool done() const { return done_; }
  // response.created and response.in_progress. Idempotent.
  void start(std::string& out);

  // Opens an output item (response.output_item.added and, for messages and reasoning, the
  // content or summary part). Returns its handle for the calls below. A redacted reasoning item
  // gets no summary part. Items open in output order; several may be open at once. A call
  // without a call_id gets "call_" + its item id.
  int open_item(std::string& out, ResponsesItemKind kind, std::string_view call_id = {},
                std::string_view name = {});
  // A text / arguments / summary fragment of an open item. A custom tool call's fragments are
  // pieces of the JSON object {"input": "..."}: its input is decoded as they come and sent as
  // custom_tool_call_input.delta events (arguments of another shape go out whole at close_item).
  void delta(std::string& out, int item, std::string_view text);
  void set_encrypted_content(int item, std::string_view value);
  // Anthropic redacted_thinking: a reasoning item with no summary whose encrypted_content is
  // "redacted:" + data, opened and closed at once.
  void add_redacted_reasoning(std::string& out, std::string_view data);
  // The item's `.done` events and response.output_item.done; nothing for a closed item.
  // `cut_short`: the output limit or a content filter ended it, so a message's status is
  // "incomplete", as OpenAI marks it.
  void close_item(std::string& out, int item, bool cut_short = false);
  void close_open_items(std::string& out, bool cut_short = false);
  bool is_open(int item) const;
  ResponsesItemKind kind(int item) const { return items_[size_t(item)].kind; }

  // response.completed, or response.incomplete when `incomplete_reason` is set
  // ("max_output_tokens", "content_filter"). Closes open items first (cut short when
  // incomplete).
  void complete(std::string& out, const TokenUsage& usage, int64_t reasoning_tokens,
                std::string_view incomplete_reason);
  // An `error` event then response.failed. `code` is the upstream's error type when it sent one.
  void fail(std::string& out, std::string_view code, std::string_view message);

  // JSON array of the items sent in response.completed / response.incomplete; "" otherwise.
  const std::string& output_items() const { return output_items_; }

 private:
  struct Item {
    ResponsesItemKind kind = ResponsesItemKind::kMessage;
    bool open = false;
    bool redacted = false;
    bool cut_short = false;
    std::string id;
    std::string call_id;
    std::string name;
    std::string text;  // message text, arguments, custom tool input (decoded), summary text
    std::string raw_arguments;  // a custom tool call's arguments as the upstream sent them
    StreamedStringField input_decoder;
    std::string encrypted_content;
    std::string json;  // the complete item, once closed (the text is then released)
  };
  struct Ending {
    std::string_view status;
    std::string_view incomplete_reason;
    std::string_view error_message;
    const TokenUsage* usage = nullptr;
    int64_t reasoning_tokens = 0;
  };

  int open(std::string& out, ResponsesItemKind kind, std::string_view call_id,
           std::string_view name, bool redacted);
  JsonWriter begin_event(std::string& out, std::string_view type);
  void end_event(JsonWriter& w);
  JsonWriter begin_item_event(std::string& out, std::string_view type, const Item& item);
  void write_item(JsonWriter& w, const Item& item, bool complete) const;
  void write_response(JsonWriter& w, const Ending& ending) const;
  void close_message(std::string& out, const Item& item);
  void close_reasoning(std::string& out, const Item& item);
  void close_custom_call(std::string& out, Item& item);
  std::string items_json() const;
  ToolName client_name(const Item& item) const;  // a call's name (and namespace) for the client

  std::string id_;
  std::string model_;
  int64_t created_at_ = 0;
  std::string echo_;              // TranslateResult::responses_echo
  std::string namespaced_tools_;  // TranslateResult::namespaced_tools
  std::string decoded_;           // scratch for a custom tool call's decoded delta
  int64_t sequence_ = 0;
  bool started_ = false;
  bool done_ = false;
  std::vector<Item> items_;
  std::string output_items_;
};

}  // namespace ringgate::providers
