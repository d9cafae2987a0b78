// Responses request translation: reading the request (both targets). The mapping rules are in
// the README ("Responses API translation"); in short, a field either maps faithfully, has no
// effect and is ignored (include, stream_options, previous_response_id: the gateway resolves it
// into options.prior_items), is dropped and named / refused per the unsupported_fields policy
// (metadata, text.verbosity, prompt_cache_key, safety_identifier, service_tier, truncation,
// top_logprobs, max_tool_calls, unknown fields, reasoning toward a model that does not reason),
// or is refused with a 400 naming it (server state: background, conversation, prompt,
// item_reference, file ids; hosted tools; malformed values).
#include "providers/responses_request_translator.h"

#include <algorithm>

#include "providers/json_writer.h"
#include "providers/responses_request.h"

namespace ringgate::providers {
namespace responses {
namespace {

// Members the Responses object echoes back from the request.
bool echoed(std::string_view key) {
  static constexpr std::string_view kEchoed[] = {"instructions",
                                                 "max_output_tokens",
                                                 "max_tool_calls",
                                                 "metadata",
                                                 "parallel_tool_calls",
                                                 "previous_response_id",
                                                 "prompt_cache_key",
                                                 "reasoning",
                                                 "safety_identifier",
                                                 "service_tier",
                                                 "store",
                                                 "temperature",
                                                 "text",
                                                 "tool_choice",
                                                 "tools",
                                                 "top_logprobs",
                                                 "top_p",
                                                 "truncation",
                                                 "user"};
  return std::find(std::begin(kEchoed), std::end(kEchoed), key) != std::end(kEchoed);
}

simdjson::dom::parser& prior_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

simdjson::dom::parser& referenced_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

}  // namespace

bool Request::fail(std::string message, std::string param, int status) {
  if (!param.empty() && message.find(param) == std::string::npos) {
    message += " ('" + param + "')";
  }
  result.ok = false;
  result.status = status;
  result.error_message = std::move(message);
  result.error_param = std::move(param);
  return false;
}

bool Request::no_equivalent(std::string name) {
  if (options.unsupported == UnsupportedFields::kRefuse) {
    return fail("'" + name + "' has no equivalent on this upstream (unsupported_fields = refuse)",
                name);
  }
  dropped_.push_back(std::move(name));
  return true;
}

bool Request::needs_server_state(std::string name, std::string_view instead) {
  return fail("'" + name +
                  "' needs state the server keeps between requests, which ringgate does not "
                  "keep for this upstream; " +
                  std::string(instead),
              name);
}

void Request::echo(std::string_view key, json::element value) {
  if (!echoed(key)) return;
  if (echo_.empty())
    echo_ += '{';
  else
    echo_ += ',';
  JsonWriter w(echo_);
  w.string(key);
  echo_ += ':';
  w.element(value);
}

bool Request::read(json::element root_element) {
  json::object root;
  if (root_element.get_object().get(root)) return fail("request body must be a JSON object", "");
  json::element input;
  bool has_input = false;
  for (auto [key, value] : root) {
    if (json::is_null(value)) continue;
    if (key == "input") {
      input = value;
      has_input = true;
      continue;
    }
    if (!read_field(key, value)) return false;
    echo(key, value);
  }
  if (model.empty() && options.model_override.empty()) return fail("'model' is required", "model");
  result.client_model = std::string(model);
  if (!echo_.empty()) result.responses_echo = echo_.substr(1);
  return read_items_and_prior(input, has_input);
}

bool Request::read_field(std::string_view key, json::element value) {
  const auto name = std::string(key);
  if (key == "model" || key == "instructions" || key == "user") {
    if (!json::is_string(value)) return fail("'" + name + "' must be a string", name);
    (key == "model" ? model : key == "user" ? user : instructions) = json::str(value);
  } else if (key == "tools") {
    if (value.get_array().get(tools)) return fail("'tools' must be an array", "tools");
    has_tools = tools.size() > 0;
  } else if (key == "tool_choice") {
    tool_choice = value;
    has_tool_choice = true;
  } else if (key == "parallel_tool_calls" || key == "stream" || key == "store" ||
             key == "background") {
    if (!json::is_bool(value)) return fail("'" + name + "' must be a boolean", name);
    const bool on = json::boolean(value);
    if (key == "parallel_tool_calls") parallel_tool_calls = on;
    if (key == "stream") result.stream = on;
    if (key == "store") result.store = on;
    if (key == "background" && on) {
      return needs_server_state(name, "send the request without 'background' (or stream it)");
    }
  } else if (key == "conversation" || key == "prompt") {
    return needs_server_state(name, key == "prompt" ? "send the prompt's text as 'instructions'"
                                                    : "send the conversation's items in 'input'");
  } else if (key == "max_output_tokens" || key == "temperature" || key == "top_p") {
    return read_sampling(key, value);
  } else if (key == "reasoning") {
    return read_reasoning(value);
  } else if (key == "text") {
    return read_text(value);
  } else if (key == "metadata") {
    json::object o;
    if (value.get_object().get(o)) return fail("'metadata' must be an object", "metadata");
    if (o.size() > 0) return no_equivalent("metadata");
  } else if (key == "truncation") {
    if (json::str(value) != "disabled") return no_equivalent("truncation");
  } else if (key == "top_logprobs") {
    if (!(json::is_integer(value) && json::integer(value) == 0)) {
      return no_equivalent("top_logprobs");
    }
  } else if (key == "include" || key == "previous_response_id" || key == "stream_options") {
    // include only asks for extra output; previous_response_id arrives as options.prior_items;
    // stream_options (include_obfuscation) shapes the stream, which ringgate writes itself.
  } else {
    // prompt_cache_key, safety_identifier, service_tier, max_tool_calls and unknown fields.
    return no_equivalent(name);
  }
  return true;
}

bool Request::read_sampling(std::string_view key, json::element value) {
  const auto name = std::string(key);
  if (key == "max_output_tokens") {
    if (!json::is_integer(value) || json::integer(value) < 1) {
      return fail("'max_output_tokens' must be a positive integer", name);
    }
    max_output_tokens = json::integer(value);
    return true;
  }
  if (!json::is_number(value)) return fail("'" + name + "' must be a number", name);
  (key == "temperature" ? temperature : top_p) = value;
  (key == "temperature" ? has_temperature : has_top_p) = true;
  return true;
}

bool Request::read_reasoning(json::element value) {
  json::object o;
  if (value.get_object().get(o)) return fail("'reasoning' must be an object", "reasoning");
  json::element e;
  if (!json::field(o, "effort", e)) return true;  // summary alone asks for nothing upstream
  if (!json::is_string(e) || thinking_budget_for_effort(json::str(e)) < 0) {
    return fail("'reasoning.effort' must be none, minimal, low, medium, high or xhigh",
                "reasoning.effort");
  }
  if (json::str(e) == "none") return true;
  if (!options.reasoning_model) return no_equivalent("reasoning.effort");
  effort = json::str(e);
  return true;
}

bool Request::read_text(json::element value) {
  json::object o;
  if (value.get_object().get(o)) return fail("'text' must be an object", "text");
  for (auto [key, member] : o) {
    if (json::is_null(member)) continue;
    if (key == "format") {
      if (member.get_object().get(text_format)) {
        return fail("'text.format' must be an object", "text.format");
      }
      text_format_type = json::field_string(text_format, "type");
      if (text_format_type != "text" && text_format_type != "json_schema" &&
          text_format_type != "json_object") {
        return fail("'text.format.type' must be text, json_schema or json_object",
                    "text.format.type");
      }
      has_text_format = text_format_type != "text";
    } else if (!no_equivalent("text." + std::string(key))) {
      return false;
    }
  }
  return true;
}

bool Request::read_items_and_prior(json::element input, bool has_input) {
  json::element prior;
  ItemError error;
  if (!options.prior_items.empty()) {
    if (prior_parser().parse(options.prior_items.data(), options.prior_items.size()).get(prior) ||
        !json::is_array(prior)) {
      return fail("the stored conversation of 'previous_response_id' is not a JSON array",
                  "previous_response_id", 500);
    }
    if (!read_items(prior, "previous_response_id", items, error)) {
      return fail(std::move(error.message), std::move(error.param));
    }
  }
  if (!has_input && options.prior_items.empty()) return fail("'input' is required", "input");
  json::element referenced_root;
  json::object referenced;
  if (!options.referenced_items.empty()) {
    if (referenced_parser()
            .parse(options.referenced_items.data(), options.referenced_items.size())
            .get(referenced_root) ||
        !json::is_object(referenced_root)) {
      return fail("the stored items 'item_reference' names are not a JSON object", "input", 500);
    }
    referenced = json::as_object(referenced_root);
  }
  const json::object* refs = options.referenced_items.empty() ? nullptr : &referenced;
  if (has_input && !read_items(input, "input", items, error, refs)) {
    return fail(std::move(error.message), std::move(error.param));
  }
  write_conversation(input, has_input, prior, refs);
  return true;
}

// What the conversation store keeps: the prior items, then this request's input as items.
void Request::write_conversation(json::element input, bool has_input, json::element prior,
                                 const json::object* referenced) {
  std::string& out = result.conversation_items;
  JsonWriter w(out);
  w.begin_array();
  if (!options.prior_items.empty()) {
    for (json::element item : json::as_array(prior)) w.element(item);
  }
  if (has_input && json::is_string(input)) {
    w.begin_object().key("type").string("message").key("role").string("user");
    w.key("content").begin_array().begin_object().key("type").string("input_text");
    w.key("text").string(json::str(input)).end_object().end_array().end_object();
  } else if (has_input) {
    // A reference is kept as the item it names, so the conversation outlives that item's entry.
    for (json::element item : json::as_array(input)) {
      json::element target;
      w.element(resolve_reference(item, referenced, target) ? target : item);
    }
  }
  w.end_array();
}

void Request::finish() {
  std::sort(dropped_.begin(), dropped_.end());
  dropped_.erase(std::unique(dropped_.begin(), dropped_.end()), dropped_.end());
  for (const auto& name : dropped_) {
    if (!result.dropped_fields.empty()) result.dropped_fields += ',';
    result.dropped_fields += name;
  }
}

std::string custom_tool_description(json::object tool) {
  std::string description(json::field_string(tool, "description"));
  json::element format_el;
  if (!json::field(tool, "format", format_el) || !json::is_object(format_el)) return description;
  json::object format = json::as_object(format_el);
  if (json::field_string(format, "type") != "grammar") return description;
  if (!description.empty()) description += "\n\n";
  description += "The input must follow this ";
  description += json::field_string(format, "syntax");
  description += " grammar:\n";
  description += json::field_string(format, "definition");
  return description;
}

std::string upstream_tool_of(Request& rq, json::object tool, const std::string& param,
                             const ToolGroup& group, bool& custom) {
  const auto type = json::field_string(tool, "type");
  if (type != "function" && type != "custom") {
    rq.fail("unsupported tool type \"" + std::string(type) + "\"", "tools");
    return {};
  }
  custom = type == "custom";
  const auto name = json::field_string(tool, "name");
  if (name.empty()) {
    rq.fail("tool needs a 'name'", param + ".name");
    return {};
  }
  std::string upstream(name);
  if (!group.name.empty()) {
    if (!valid_tool_name_part(name)) {
      rq.fail("a namespace tool's members need names of letters, digits, '_' and '-'",
              param + ".name");
      return {};
    }
    add_namespaced_tool(rq.result.namespaced_tools, {group.name, name});
    upstream = upstream_tool_name({group.name, name});
  }
  if (custom) {
    if (!rq.result.custom_tools.empty()) rq.result.custom_tools += ',';
    rq.result.custom_tools += upstream;
  }
  return upstream;
}

std::string upstream_description_of(std::string_view description, const ToolGroup& group) {
  std::string out(description);
  if (group.name.empty()) return out;
  if (!out.empty()) out += "\n\n";
  out += "(Part of the tool group ";
  out += group.name;
  if (!group.description.empty()) {
    out += ": ";
    out += group.description;
  }
  out += ")";
  return out;
}

// Anthropic budget_tokens per effort: roughly the share of a long answer OpenAI's reasoning
// models spend thinking at that effort, with Anthropic's minimum (1024) for the lowest.
int64_t thinking_budget_for_effort(std::string_view effort) {
  if (effort == "none") return 0;
  if (effort == "minimal") return 1024;
  if (effort == "low") return 2048;
  if (effort == "medium") return 8192;
  if (effort == "high") return 16384;
  if (effort == "xhigh") return 32768;
  return -1;
}

}  // namespace responses

namespace {

using Writer = bool (*)(responses::Request&);

TranslateResult translate_root(simdjson::dom::element root, size_t size_hint,
                               const TranslateOptions& options, Writer write) {
  TranslateResult result;
  result.body.reserve(size_hint + options.prior_items.size() + 64);
  responses::Request request(options, result);
  result.ok = request.read(root) && write(request);
  if (result.ok) {
    request.finish();
  } else {
    result.body.clear();
  }
  return result;
}

TranslateResult translate(std::string_view body, const TranslateOptions& options, Writer write) {
  json::element root;
  if (!json::parse(json::ParserSlot::kDocument, body, root)) {
    TranslateResult result;
    result.error_message = "request body is not valid JSON";
    return result;
  }
  return translate_root(root, body.size(), options, write);
}

}  // namespace

TranslateResult responses_to_anthropic(simdjson::dom::element root, size_t size_hint,
                                       const TranslateOptions& options) {
  return translate_root(root, size_hint, options, responses::write_anthropic);
}

TranslateResult responses_to_openai_chat(simdjson::dom::element root, size_t size_hint,
                                         const TranslateOptions& options) {
  return translate_root(root, size_hint, options, responses::write_chat);
}

TranslateResult responses_to_anthropic(std::string_view body, const TranslateOptions& options) {
  return translate(body, options, responses::write_anthropic);
}

TranslateResult responses_to_openai_chat(std::string_view body, const TranslateOptions& options) {
  return translate(body, options, responses::write_chat);
}

}  // namespace ringgate::providers
