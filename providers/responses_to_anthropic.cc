// Responses request -> Anthropic Messages request body (the reading is in
// responses_request_translator.cc). Decisions:
// - instructions, then system/developer messages (in order) -> `system`.
// - items -> turns; consecutive items of one Anthropic role merge into one turn, so parallel
//   calls share an assistant turn and their outputs a user turn.
// - function_call -> tool_use (arguments must be a JSON object), custom_tool_call -> tool_use
//   with input {"input": <input>}; *_output -> tool_result (string, or text/image blocks).
// - reasoning with encrypted_content -> a thinking block (summary text, signature), or
//   redacted_thinking for "redacted:" content, first in the next assistant turn. Reasoning
//   without encrypted_content, or followed by a user turn before any assistant content, is left
//   out silently: Anthropic only reads thinking back with its signature, in the turn it belongs to.
#include "providers/json_writer.h"
#include "providers/response_format_tool.h"
#include "providers/responses_request.h"

namespace ringgate::providers::responses {
namespace {

constexpr std::string_view kRedacted = "redacted:";

class ToAnthropic {
 public:
  explicit ToAnthropic(Request& rq) : rq_(rq), w_(rq.result.body) {}

  bool run() {
    w_.begin_object();
    w_.key("model").string(rq_.options.model_override.empty() ? rq_.model
                                                              : rq_.options.model_override);
    if (!write_max_tokens_and_thinking()) return false;
    if (!write_messages()) return false;
    write_system();
    if (!write_tools()) return false;
    if (rq_.has_temperature) {
      if (json::number(rq_.temperature) > 1.0) {
        return rq_.fail("'temperature' above 1 has no Anthropic equivalent (range 0..1)",
                        "temperature");
      }
      w_.key("temperature").element(rq_.temperature);
    }
    if (rq_.has_top_p) w_.key("top_p").element(rq_.top_p);
    if (!rq_.user.empty()) {
      w_.key("metadata").begin_object().key("user_id").string(rq_.user).end_object();
    }
    if (rq_.result.stream) w_.key("stream").boolean(true);
    w_.end_object();
    return true;
  }

 private:
  bool write_max_tokens_and_thinking() {
    int64_t max_tokens =
        rq_.max_output_tokens ? rq_.max_output_tokens : rq_.options.default_max_tokens;
    if (max_tokens <= 0) {
      return rq_.fail(
          "'max_output_tokens' is required by the Anthropic upstream and no default is configured",
          "max_output_tokens");
    }
    const int64_t budget = rq_.effort.empty() ? 0 : thinking_budget_for_effort(rq_.effort);
    // Anthropic wants budget_tokens < max_tokens; the visible answer keeps the room it asked for.
    if (budget > 0 && budget >= max_tokens) max_tokens += budget;
    w_.key("max_tokens").integer(max_tokens);
    if (budget > 0) {
      w_.key("thinking").begin_object().key("type").string("enabled");
      w_.key("budget_tokens").integer(budget).end_object();
    }
    return true;
  }

  void write_system() {
    size_t count = rq_.instructions.empty() ? 0 : 1;
    for (const Item& item : rq_.items.items) {
      if (item.kind == Item::Kind::kMessage && item.role == "system") {
        count += item.parts_end - item.parts_begin;
      }
    }
    if (count == 0) return;
    if (count == 1 && !rq_.instructions.empty()) {
      w_.key("system").string(rq_.instructions);
      return;
    }
    w_.key("system").begin_array();
    if (!rq_.instructions.empty()) text_block(rq_.instructions);
    for (const Item& item : rq_.items.items) {
      if (item.kind != Item::Kind::kMessage || item.role != "system") continue;
      for (size_t p = item.parts_begin; p < item.parts_end; ++p) {
        text_block(rq_.items.parts[p].text);
      }
    }
    w_.end_array();
  }

  void text_block(std::string_view text) {
    w_.begin_object().key("type").string("text").key("text").string(text).end_object();
  }

  void open_turn(std::string_view role) {
    if (open_role_ == role) return;
    if (!open_role_.empty()) w_.end_array().end_object();
    w_.begin_object().key("role").string(role).key("content").begin_array();
    open_role_ = role;
    if (role == "assistant") {
      for (const Item* r : pending_reasoning_) thinking_block(*r);
    }
    pending_reasoning_.clear();
  }

  void thinking_block(const Item& r) {
    const std::string_view content = r.encrypted_content;
    if (content.substr(0, kRedacted.size()) == kRedacted) {
      w_.begin_object().key("type").string("redacted_thinking");
      w_.key("data").string(content.substr(kRedacted.size())).end_object();
      return;
    }
    w_.begin_object().key("type").string("thinking").key("thinking").string(r.summary);
    w_.key("signature").string(content).end_object();
  }

  bool write_messages() {
    w_.key("messages").begin_array();
    for (const Item& item : rq_.items.items) {
      bool ok = true;
      switch (item.kind) {
        case Item::Kind::kMessage:
          if (item.role != "system") message(item);
          break;
        case Item::Kind::kCall:
          ok = call(item);
          break;
        case Item::Kind::kCallOutput:
          call_output(item);
          break;
        case Item::Kind::kReasoning:
          if (item.encrypted_content.empty()) break;
          if (open_role_ == "assistant") {
            thinking_block(item);
          } else {
            pending_reasoning_.push_back(&item);
          }
          break;
      }
      if (!ok) return false;
    }
    if (!open_role_.empty()) w_.end_array().end_object();
    w_.end_array();
    return true;
  }

  void message(const Item& item) {
    for (size_t p = item.parts_begin; p < item.parts_end; ++p) {
      const Part& part = rq_.items.parts[p];
      if (part.kind == Part::Kind::kText && part.text.empty()) continue;  // Anthropic refuses ""
      open_turn(item.role);
      content_block(part);
    }
  }

  void content_block(const Part& part) {
    if (part.kind == Part::Kind::kText) {
      text_block(part.text);
      return;
    }
    w_.begin_object().key("type").string("image").key("source").begin_object();
    if (part.kind == Part::Kind::kImageData) {
      w_.key("type").string("base64").key("media_type").string(part.media_type);
      w_.key("data").string(part.data);
    } else {
      w_.key("type").string("url").key("url").string(part.text);
    }
    w_.end_object().end_object();
  }

  bool call(const Item& item) {
    open_turn("assistant");
    w_.begin_object().key("type").string("tool_use").key("id").string(item.call_id);
    w_.key("name").string(upstream_tool_name({item.ns, item.name})).key("input");
    if (item.custom) {
      w_.begin_object().key("input").string(item.arguments).end_object();
    } else if (item.arguments.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      w_.begin_object().end_object();
    } else {
      json::element parsed;
      if (!json::parse(json::ParserSlot::kNested, item.arguments, parsed) ||
          !json::is_object(parsed)) {
        return rq_.fail(
            "function_call arguments must be a JSON object",
            std::string(item.source) + "[" + std::to_string(item.index) + "].arguments");
      }
      w_.element(parsed);
    }
    w_.end_object();
    return true;
  }

  void call_output(const Item& item) {
    open_turn("user");
    w_.begin_object().key("type").string("tool_result").key("tool_use_id").string(item.call_id);
    w_.key("content");
    if (item.output_is_string) {
      w_.string(rq_.items.parts[item.parts_begin].text);
    } else {
      w_.begin_array();
      for (size_t p = item.parts_begin; p < item.parts_end; ++p) {
        content_block(rq_.items.parts[p]);
      }
      w_.end_array();
    }
    w_.end_object();
  }

  bool write_tools();
  bool write_tool(json::object tool, const std::string& param, const ToolGroup& group);
  bool write_tool_choice();

  Request& rq_;
  JsonWriter w_;
  std::string_view open_role_;
  std::vector<const Item*> pending_reasoning_;
};

bool ToAnthropic::write_tools() {
  if (rq_.has_text_format && rq_.text_format_type == "json_object") {
    if (!rq_.no_equivalent("text.format")) return false;
  } else if (rq_.has_text_format) {
    if (rq_.has_tools) {
      return rq_.fail(
          "'text.format' json_schema together with 'tools' has no faithful Anthropic mapping",
          "text.format");
    }
    std::string error;
    if (!write_schema_tool(w_, rq_.text_format, rq_.result.response_format_tool, error)) {
      return rq_.fail(std::move(error), "text.format.schema");
    }
    return true;
  }
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

bool ToAnthropic::write_tool(json::object tool, const std::string& param, const ToolGroup& group) {
  bool custom = false;
  const std::string name = upstream_tool_of(rq_, tool, param, group, custom);
  if (name.empty()) return false;
  w_.begin_object().key("name").string(name);
  if (custom) {
    const std::string description = upstream_description_of(custom_tool_description(tool), group);
    if (!description.empty()) w_.key("description").string(description);
    w_.key("input_schema").raw(kCustomToolSchema).end_object();
    return true;
  }
  const std::string description =
      upstream_description_of(json::field_string(tool, "description"), group);
  if (!description.empty()) w_.key("description").string(description);
  w_.key("input_schema");
  json::element params;
  if (json::field(tool, "parameters", params)) {
    if (!json::is_object(params)) return rq_.fail("'parameters' must be an object", param);
    w_.element(params);
  } else {
    w_.begin_object().key("type").string("object").end_object();
  }
  w_.end_object();
  return true;
}

bool ToAnthropic::write_tool_choice() {
  std::string_view type = "auto", name;
  if (rq_.has_tool_choice) {
    if (json::is_string(rq_.tool_choice)) {
      const auto choice = json::str(rq_.tool_choice);
      if (choice != "auto" && choice != "none" && choice != "required") {
        return rq_.fail("'tool_choice' must be auto, none, required or a function/custom tool",
                        "tool_choice");
      }
      type = choice == "required" ? "any" : choice;
    } else {
      json::object tc;
      const bool named =
          !rq_.tool_choice.get_object().get(tc) && (json::field_string(tc, "type") == "function" ||
                                                    json::field_string(tc, "type") == "custom");
      if (!named || json::field_string(tc, "name").empty()) {
        return rq_.fail("'tool_choice' must be auto, none, required or a function/custom tool",
                        "tool_choice");
      }
      type = "tool";
      name = json::field_string(tc, "name");
    }
  }
  if (!rq_.has_tools) {
    if (type == "auto" || type == "none") return true;
    return rq_.fail("'tool_choice' requires 'tools'", "tool_choice");
  }
  if (!rq_.has_tool_choice && rq_.parallel_tool_calls) return true;
  w_.key("tool_choice").begin_object().key("type").string(type);
  if (!name.empty()) w_.key("name").string(name);
  if (!rq_.parallel_tool_calls && type != "none") {
    w_.key("disable_parallel_tool_use").boolean(true);
  }
  w_.end_object();
  return true;
}

}  // namespace

bool write_anthropic(Request& request) { return ToAnthropic(request).run(); }

}  // namespace ringgate::providers::responses
