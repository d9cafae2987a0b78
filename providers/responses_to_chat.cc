// Responses request -> chat completions request body, for OpenAI-compatible servers without a
// Responses endpoint (the reading is in responses_request_translator.cc). Decisions:
// - instructions -> a leading system message; system and developer messages -> system messages
//   in place (developer is OpenAI's own role name; other servers know only system).
// - assistant text and the function calls that follow it -> one assistant message with
//   tool_calls; custom tool calls become function calls whose arguments are {"input": ...}.
// - *_output -> role "tool" messages (text only: chat servers take no images in tool results).
// - reasoning items are left out silently: chat servers take no reasoning input.
#include "providers/json_writer.h"
#include "providers/responses_request.h"

namespace ringgate::providers::responses {
namespace {

class ToChat {
 public:
  explicit ToChat(Request& rq) : rq_(rq), w_(rq.result.body) {}

  bool run() {
    w_.begin_object();
    w_.key("model").string(rq_.options.model_override.empty() ? rq_.model
                                                              : rq_.options.model_override);
    if (!write_messages()) return false;
    if (!write_tools()) return false;
    if (rq_.max_output_tokens > 0) {
      w_.key(rq_.options.use_max_completion_tokens ? "max_completion_tokens" : "max_tokens");
      w_.integer(rq_.max_output_tokens);
    }
    if (rq_.has_temperature) w_.key("temperature").element(rq_.temperature);
    if (rq_.has_top_p) w_.key("top_p").element(rq_.top_p);
    if (!rq_.user.empty()) w_.key("user").string(rq_.user);
    if (!rq_.effort.empty()) w_.key("reasoning_effort").string(rq_.effort);
    if (rq_.has_text_format) write_response_format();
    if (rq_.result.stream) {
      w_.key("stream").boolean(true);
      w_.key("stream_options").begin_object().key("include_usage").boolean(true).end_object();
      rq_.result.include_usage = true;
    }
    w_.end_object();
    return true;
  }

 private:
  void write_response_format() {
    w_.key("response_format").begin_object().key("type").string(rq_.text_format_type);
    if (rq_.text_format_type == "json_schema") {
      w_.key("json_schema").begin_object();
      for (auto [key, value] : rq_.text_format) {
        if (key != "type") w_.key(key).element(value);
      }
      w_.end_object();
    }
    w_.end_object();
  }

  // Text parts as one string when there is one, else an array of text parts.
  void text_content(const Item& item) {
    if (item.parts_end - item.parts_begin == 1) {
      w_.string(rq_.items.parts[item.parts_begin].text);
      return;
    }
    w_.begin_array();
    for (size_t p = item.parts_begin; p < item.parts_end; ++p) part(rq_.items.parts[p]);
    w_.end_array();
  }

  void part(const Part& p) {
    if (p.kind == Part::Kind::kText) {
      w_.begin_object().key("type").string("text").key("text").string(p.text).end_object();
      return;
    }
    w_.begin_object().key("type").string("image_url").key("image_url").begin_object();
    w_.key("url");
    if (p.kind == Part::Kind::kImageUrl) {
      w_.string(p.text);
    } else {
      w_.begin_string().string_piece("data:").string_piece(p.media_type);
      w_.string_piece(";base64,").string_piece(p.data).end_string();
    }
    if (!p.detail.empty()) w_.key("detail").string(p.detail);
    w_.end_object().end_object();
  }

  bool write_messages() {
    w_.key("messages").begin_array();
    if (!rq_.instructions.empty()) {
      w_.begin_object().key("role").string("system").key("content").string(rq_.instructions);
      w_.end_object();
    }
    const auto& items = rq_.items.items;
    for (size_t i = 0; i < items.size(); ++i) {
      const Item& item = items[i];
      if (item.kind == Item::Kind::kReasoning) continue;
      if (item.kind == Item::Kind::kCall ||
          (item.kind == Item::Kind::kMessage && item.role == "assistant")) {
        i = assistant_message(i) - 1;
      } else if (item.kind == Item::Kind::kMessage) {
        w_.begin_object().key("role").string(item.role).key("content");
        text_content(item);
        w_.end_object();
      } else if (!tool_message(item)) {
        return false;
      }
    }
    w_.end_array();
    return true;
  }

  // The assistant text starting at `first` and the calls right after it, as one message.
  // Returns the index after the last item taken.
  size_t assistant_message(size_t first) {
    const auto& items = rq_.items.items;
    size_t end = first, texts = 0, calls = 0;
    for (; end < items.size(); ++end) {
      const Item& item = items[end];
      if (item.kind == Item::Kind::kCall) {
        ++calls;
      } else if (item.kind == Item::Kind::kMessage && item.role == "assistant" && calls == 0) {
        texts += item.parts_end - item.parts_begin;
      } else if (item.kind != Item::Kind::kReasoning) {
        break;
      }
    }
    w_.begin_object().key("role").string("assistant").key("content");
    if (texts == 0) {
      w_.null();
    } else {
      w_.begin_string();
      for (size_t k = first; k < end; ++k) {
        if (items[k].kind != Item::Kind::kMessage) continue;
        for (size_t p = items[k].parts_begin; p < items[k].parts_end; ++p) {
          w_.string_piece(rq_.items.parts[p].text);
        }
      }
      w_.end_string();
    }
    if (calls > 0) {
      w_.key("tool_calls").begin_array();
      for (size_t k = first; k < end; ++k) {
        if (items[k].kind == Item::Kind::kCall) tool_call(items[k]);
      }
      w_.end_array();
    }
    w_.end_object();
    return end;
  }

  void tool_call(const Item& call) {
    w_.begin_object().key("id").string(call.call_id).key("type").string("function");
    w_.key("function").begin_object().key("name");
    w_.string(upstream_tool_name({call.ns, call.name})).key("arguments");
    if (call.custom) {
      std::string& args = scratch_;
      args.clear();
      JsonWriter(args).begin_object().key("input").string(call.arguments).end_object();
      w_.string(args);
    } else {
      const bool blank = call.arguments.find_first_not_of(" \t\r\n") == std::string_view::npos;
      w_.string(blank ? std::string_view("{}") : call.arguments);
    }
    w_.end_object().end_object();
  }

  bool tool_message(const Item& output) {
    for (size_t p = output.parts_begin; p < output.parts_end; ++p) {
      if (rq_.items.parts[p].kind != Part::Kind::kText) {
        return rq_.fail(
            "images in a tool call output cannot be sent to a chat completions upstream",
            std::string(output.source) + "[" + std::to_string(output.index) + "].output");
      }
    }
    w_.begin_object().key("role").string("tool").key("tool_call_id").string(output.call_id);
    w_.key("content");
    text_content(output);
    w_.end_object();
    return true;
  }

  bool write_tools();
  bool write_tool(json::object tool, const std::string& param, const ToolGroup& group);
  bool write_tool_choice();

  Request& rq_;
  JsonWriter w_;
  std::string scratch_;
};

bool ToChat::write_tools() {
  if (rq_.has_tools) {
    w_.key("tools").begin_array();
    const bool ok =
        rq_.each_tool([this](json::object tool, const std::string& param, const ToolGroup& group) {
          return write_tool(tool, param, group);
        });
    if (!ok) return false;
    w_.end_array();
  }
  return write_tool_choice();
}

bool ToChat::write_tool(json::object tool, const std::string& param, const ToolGroup& group) {
  bool custom = false;
  const std::string name = upstream_tool_of(rq_, tool, param, group, custom);
  if (name.empty()) return false;
  w_.begin_object().key("type").string("function").key("function").begin_object();
  w_.key("name").string(name);
  if (custom) {
    const std::string description = upstream_description_of(custom_tool_description(tool), group);
    if (!description.empty()) w_.key("description").string(description);
    w_.key("parameters").raw(kCustomToolSchema);
  } else {
    const std::string description =
        upstream_description_of(json::field_string(tool, "description"), group);
    if (!description.empty()) w_.key("description").string(description);
    json::element params, strict;
    if (json::field(tool, "parameters", params)) {
      if (!json::is_object(params)) return rq_.fail("'parameters' must be an object", param);
      w_.key("parameters").element(params);
    }
    if (json::field(tool, "strict", strict) && json::is_bool(strict)) {
      w_.key("strict").boolean(json::boolean(strict));
    }
  }
  w_.end_object().end_object();
  return true;
}

bool ToChat::write_tool_choice() {
  if (rq_.has_tool_choice) {
    const char* kBad = "'tool_choice' must be auto, none, required or a function/custom tool";
    json::object tc;
    std::string_view choice, name;
    if (json::is_string(rq_.tool_choice)) {
      choice = json::str(rq_.tool_choice);
      if (choice != "auto" && choice != "none" && choice != "required") {
        return rq_.fail(kBad, "tool_choice");
      }
    } else if (rq_.tool_choice.get_object().get(tc) ||
               (json::field_string(tc, "type") != "function" &&
                json::field_string(tc, "type") != "custom") ||
               (name = json::field_string(tc, "name")).empty()) {
      return rq_.fail(kBad, "tool_choice");
    }
    if (!rq_.has_tools) {
      if (choice == "auto" || choice == "none") return true;
      return rq_.fail("'tool_choice' requires 'tools'", "tool_choice");
    }
    w_.key("tool_choice");
    if (name.empty()) {
      w_.string(choice);
    } else {
      w_.begin_object().key("type").string("function").key("function").begin_object();
      w_.key("name").string(name).end_object().end_object();
    }
  }
  if (rq_.has_tools && !rq_.parallel_tool_calls) w_.key("parallel_tool_calls").boolean(false);
  return true;
}

}  // namespace

bool write_chat(Request& request) { return ToChat(request).run(); }

}  // namespace ringgate::providers::responses
