// Request translation between OpenAI chat completions and Anthropic Messages.
//
// The rule is faithfulness: a field either maps to something that means the same on the other
// side, or has no effect on the generated output and is ignored, or the request is refused with a
// 400 naming the field, or (Anthropic -> OpenAI, under the model's unsupported_fields = "drop") it
// is left out and named in the answer's x-ringgate-dropped-fields header. Nothing that changes the
// answer is dropped silently.
//
// OpenAI -> Anthropic
//   system/developer messages (any position, several) -> `system`, one text block each, in order
//       (a single plain-string system message stays a string). Moving them up front is what
//       Anthropic's API allows; their order among themselves is kept.
//   user/assistant/tool messages -> turns; consecutive messages of the same Anthropic role are
//       merged into one turn (Anthropic would merge them anyway), so tool results of parallel calls
//       land together in one user turn, followed by any user text.
//   image_url data: URL -> base64 image source; http(s) URL -> url source; `detail` is a
//       resolution hint with no Anthropic equivalent and is ignored.
//   assistant tool_calls -> tool_use blocks (arguments must be a JSON object); tool messages ->
//       tool_result blocks.
//   assistant `reasoning_content` (some OpenAI-compatible servers echo it) is ignored: earlier
//       turns' reasoning is not model input on either API.
//   tools (function) -> tools with input_schema; `strict` is ignored (an enforcement flag, the
//       schema itself is passed). tool_choice auto/none/required/{function} -> auto/none/any/tool;
//       parallel_tool_calls=false -> disable_parallel_tool_use. tool_choice without tools is
//       dropped when auto/none (no effect).
//   max_completion_tokens, else max_tokens, else options.default_max_tokens -> max_tokens.
//   stop -> stop_sequences; temperature (must be <= 1, Anthropic's range; rescaling would change
//       the meaning) / top_p / top_k (an extension some clients send) pass through.
//   user -> metadata.user_id. stream passes; stream_options.include_usage is reported to the caller
//       (the stream translator emits the usage chunk).
//   response_format json_schema -> a forced tool named after the schema (refused when the request
//       also has tools); the response translators turn that tool call back into content.
//       response_format text is the default and ignored.
//   Ignored, no effect on output: metadata and store=false (stored completions), service_tier,
//       prompt_cache_key, safety_identifier, stream_options when not streaming, n=1,
//       logprobs=false, zero penalties, empty logit_bias, modalities ["text"].
//   Refused (400 naming the field): n>1, logprobs, top_logprobs, logit_bias, frequency_penalty,
//       presence_penalty, seed, store=true, audio, prediction, reasoning_effort, functions,
//       function_call, web_search_options, verbosity, response_format json_object, message `name`,
//       role `function`, non-text/non-image content parts, non-function tools, unknown fields.
//
// Anthropic -> OpenAI
//   Fields with no faithful OpenAI equivalent follow TranslateOptions::unsupported (a model's
//   `unsupported_fields`): "drop" leaves them out and names them in result.dropped_fields (the
//   x-ringgate-dropped-fields header), "refuse" answers 400 naming the field. They are:
//   cache_control (on system, message, tool_result and tool blocks), context_management,
//   container, mcp_servers, metadata keys other than user_id, output_config keys other than
//   effort, unknown keys on messages, blocks and tools, unknown top-level fields, and, for a model
//   that does not reason, thinking (enabled/adaptive) and output_config.effort.
//   system (string or text blocks) -> one leading system message (string, or text parts when
//       there are several blocks).
//   role "system" messages inside `messages` (any position) -> a system message at that place;
//       one that sits between an assistant's tool calls and their results follows the results
//       (OpenAI needs the tool messages right after the calls).
//   user turns: tool_result blocks -> one `tool` message each, first (OpenAI needs them right
//       after the assistant's tool_calls), then the remaining text/image blocks as one user
//       message. is_error=true has no OpenAI field; the result text is prefixed with "Error: " so
//       the model still learns the tool failed. Images inside tool results are refused.
//   assistant turns: text blocks concatenated -> content, tool_use -> tool_calls with the input
//       serialized as the arguments string; thinking/redacted_thinking blocks are dropped
//       (earlier turns' reasoning is not model input on OpenAI-format APIs, and some refuse it).
//   tools -> function tools (`strict` passes); server tools (a `type` other than "custom") are
//       refused. tool_choice auto/any/tool/none -> auto/required/{function}/none,
//       disable_parallel_tool_use -> parallel_tool_calls=false.
//   thinking / output_config.effort -> reasoning_effort, for a reasoning model only
//       (TranslateOptions::reasoning_model): output_config.effort low/medium/high as is, max ->
//       high; else thinking enabled by budget_tokens (< 4096 low, < 16384 medium, else high;
//       no budget: medium); else thinking adaptive -> high (Anthropic's default effort).
//       thinking disabled sends nothing.
//   max_tokens -> max_tokens (or max_completion_tokens, see TranslateOptions); stop_sequences ->
//       stop; temperature/top_p pass; top_k passes as the `top_k` extension field that
//       OpenAI-compatible servers (vLLM, llama.cpp, OpenRouter) honour and OpenAI itself refuses by
//       name, so the client is told rather than silently ignored.
//   metadata.user_id -> user. stream -> stream with stream_options.include_usage (the Anthropic
//       stream needs usage for message_delta). service_tier ignored (billing only).
//   Refused whatever the policy (content, not fields: leaving it out would change what the model
//       is asked): document and other non-text/image blocks, images in tool results, server
//       tools, malformed values.
//   Refused because they need state the server keeps between requests (the message says what to
//       send instead): `thread` (message threads; code thread_unsupported_request, with the
//       details the SDK's thread helpers recover from), `container`.
//
// Both directions: before translating, the tool-call history is repaired
// (tool_history_repair.h): orphaned and duplicated results dropped, missing results added, ids
// neither API accepts mapped, results moved ahead of other content, empty arguments made "{}".

#include "providers/request_translator.h"

#include <algorithm>
#include <string>
#include <vector>

#include "providers/json_access.h"
#include "providers/json_writer.h"
#include "providers/response_format_tool.h"
#include "providers/tool_history_repair.h"

namespace ringgate::providers {
namespace {

using json::array;
using json::element;
using json::object;

std::string at(std::string_view base, size_t index) {
  std::string s(base);
  s += '[';
  s += std::to_string(index);
  s += ']';
  return s;
}

std::string at(std::string_view base, size_t index, std::string_view tail) {
  std::string s = at(base, index);
  s += '.';
  s += tail;
  return s;
}

std::string at(std::string_view base, size_t i, std::string_view mid, size_t j,
               std::string_view tail = {}) {
  std::string s = at(base, i, mid);
  s += '[';
  s += std::to_string(j);
  s += ']';
  if (!tail.empty()) {
    s += '.';
    s += tail;
  }
  return s;
}

// Shared failure plumbing for both directions.
class Translation {
 public:
  explicit Translation(TranslateResult& result) : result_(result) {}

 protected:
  bool fail(std::string message, std::string param) {
    // The client must be able to tell which field was refused from the message alone.
    if (!param.empty() && message.find(param) == std::string::npos) {
      message += " ('" + param + "')";
    }
    result_.ok = false;
    result_.status = 400;
    result_.error_message = std::move(message);
    result_.error_param = std::move(param);
    return false;
  }
  bool unsupported(std::string param, std::string_view why) {
    std::string message = "'" + param + "' is not supported when translating ";
    message += why;
    return fail(std::move(message), std::move(param));
  }
  // A field that asks the upstream to keep or use state between requests, which the other API
  // does not hold and ringgate, stateless between requests, cannot stand in for. `instead`
  // says what the client can send instead.
  bool needs_server_state(std::string param, std::string_view why, std::string_view state,
                          std::string_view instead,
                          protocol::ErrorCode code = protocol::ErrorCode::kUnsupportedParameter) {
    std::string message = "'" + param + "' is not supported when translating ";
    message += why;
    message += ": ";
    message += state;
    message +=
        ", which that upstream does not hold and ringgate (stateless between requests) "
        "cannot keep; ";
    message += instead;
    fail(std::move(message), std::move(param));
    result_.error_code = code;
    return false;
  }

  TranslateResult& result_;
};

// Splits "data:<media type>;base64,<payload>". False when the URL is not a base64 data URL.
bool parse_data_url(std::string_view url, std::string_view& media_type, std::string_view& data) {
  if (url.substr(0, 5) != "data:") return false;
  const auto comma = url.find(',');
  if (comma == std::string_view::npos) return false;
  std::string_view meta = url.substr(5, comma - 5);
  constexpr std::string_view kBase64 = ";base64";
  if (meta.size() < kBase64.size() || meta.substr(meta.size() - kBase64.size()) != kBase64) {
    return false;
  }
  media_type = meta.substr(0, meta.size() - kBase64.size());
  data = url.substr(comma + 1);
  return !media_type.empty();
}

bool is_http_url(std::string_view url) {
  return url.substr(0, 7) == "http://" || url.substr(0, 8) == "https://";
}

// ---------------------------------------------------------------------------------------------
// OpenAI -> Anthropic

constexpr std::string_view kToAnthropic = "an OpenAI request for an Anthropic upstream";

class OpenAiToAnthropic : Translation {
 public:
  OpenAiToAnthropic(const TranslateOptions& options, TranslateResult& result)
      : Translation(result), options_(options), w_(result.body) {}
  static ToolHistoryRepair repair(element root) { return repair_chat_tool_history(root); }

  bool run(element root_element) {
    object root;
    if (root_element.get_object().get(root)) return fail("request body must be a JSON object", "");
    if (!read_fields(root)) return false;
    if (!messages_present_) return fail("'messages' is required", "messages");

    w_.begin_object();
    w_.key("model").string(options_.model_override.empty() ? model_ : options_.model_override);
    if (!write_max_tokens()) return false;
    if (!write_system()) return false;
    if (!write_messages()) return false;
    if (!write_tools()) return false;
    if (!write_stop()) return false;
    if (has_temperature_) {
      if (json::number(temperature_) > 1.0) {
        return fail("'temperature' above 1 has no Anthropic equivalent (range 0..1)",
                    "temperature");
      }
      w_.key("temperature").element(temperature_);
    }
    if (has_top_p_) w_.key("top_p").element(top_p_);
    if (has_top_k_) w_.key("top_k").element(top_k_);
    if (!user_.empty()) w_.key("metadata").begin_object().key("user_id").string(user_).end_object();
    if (result_.stream) w_.key("stream").boolean(true);
    w_.end_object();
    return true;
  }

 private:
  bool read_fields(object root) {
    for (auto [key, value] : root) {
      const bool null = json::is_null(value);
      if (key == "model") {
        if (!json::is_string(value)) return fail("'model' must be a string", "model");
        model_ = json::str(value);
        result_.client_model = std::string(model_);
      } else if (key == "messages") {
        if (value.get_array().get(messages_))
          return fail("'messages' must be an array", "messages");
        messages_present_ = true;
      } else if (key == "max_tokens" || key == "max_completion_tokens") {
        if (null) continue;
        if (!json::is_integer(value) || json::integer(value) < 1) {
          return fail("'" + std::string(key) + "' must be a positive integer", std::string(key));
        }
        if (key == "max_completion_tokens" || max_tokens_ == 0) max_tokens_ = json::integer(value);
      } else if (key == "temperature" || key == "top_p") {
        if (null) continue;
        if (!json::is_number(value)) {
          return fail("'" + std::string(key) + "' must be a number", std::string(key));
        }
        (key == "temperature" ? temperature_ : top_p_) = value;
        (key == "temperature" ? has_temperature_ : has_top_p_) = true;
      } else if (key == "top_k") {
        if (null) continue;
        if (!json::is_integer(value)) return fail("'top_k' must be an integer", "top_k");
        top_k_ = value;
        has_top_k_ = true;
      } else if (key == "stop") {
        if (!null) stop_ = value, has_stop_ = true;
      } else if (key == "stream") {
        if (!null && !json::is_bool(value)) return fail("'stream' must be a boolean", "stream");
        result_.stream = json::boolean(value);
      } else if (key == "stream_options") {
        object o;
        if (null) continue;
        if (value.get_object().get(o)) {
          return fail("'stream_options' must be an object", "stream_options");
        }
        element inc;
        result_.include_usage = json::field(o, "include_usage", inc) && json::boolean(inc);
      } else if (key == "tools") {
        if (null) continue;
        if (value.get_array().get(tools_)) return fail("'tools' must be an array", "tools");
        has_tools_ = tools_.size() > 0;
      } else if (key == "tool_choice") {
        if (!null) tool_choice_ = value, has_tool_choice_ = true;
      } else if (key == "parallel_tool_calls") {
        if (!null && json::is_bool(value) && !json::boolean(value)) disable_parallel_ = true;
      } else if (key == "user") {
        if (null) continue;
        if (!json::is_string(value)) return fail("'user' must be a string", "user");
        user_ = json::str(value);
      } else if (key == "response_format") {
        if (!null) response_format_ = value, has_response_format_ = true;
      } else if (key == "n") {
        if (!null && !(json::is_integer(value) && json::integer(value) == 1)) {
          return fail("'n' other than 1 is not supported by Anthropic upstreams", "n");
        }
      } else if (key == "logprobs") {
        if (json::boolean(value)) return unsupported("logprobs", kToAnthropic);
      } else if (key == "frequency_penalty" || key == "presence_penalty") {
        if (!null && json::number(value) != 0.0) return unsupported(std::string(key), kToAnthropic);
      } else if (key == "logit_bias") {
        object o;
        if (!null && (value.get_object().get(o) || o.size() > 0)) {
          return unsupported("logit_bias", kToAnthropic);
        }
      } else if (key == "store") {
        if (json::boolean(value)) {
          return needs_server_state("store", kToAnthropic,
                                    "it asks OpenAI to keep the completion for later retrieval "
                                    "(GET /v1/chat/completions/{id}, evals, distillation)",
                                    "send 'store': false or leave it out");
        }
      } else if (key == "modalities") {
        if (null) continue;
        array a;
        if (value.get_array().get(a)) return fail("'modalities' must be an array", "modalities");
        for (element m : a) {
          if (json::str(m) != "text") return unsupported("modalities", kToAnthropic);
        }
      } else if (key == "metadata" || key == "service_tier" || key == "prompt_cache_key" ||
                 key == "safety_identifier") {
        // No effect on the generated output (see the table at the top).
      } else {
        // top_logprobs, seed, audio, prediction, reasoning_effort, functions, function_call,
        // web_search_options, verbosity and anything we do not know.
        if (null) continue;
        return unsupported(std::string(key), kToAnthropic);
      }
    }
    return true;
  }

  bool write_max_tokens() {
    int64_t max_tokens = max_tokens_ ? max_tokens_ : options_.default_max_tokens;
    if (max_tokens <= 0) {
      return fail("'max_tokens' is required by the Anthropic upstream and no default is configured",
                  "max_tokens");
    }
    w_.key("max_tokens").integer(max_tokens);
    return true;
  }

  // Text of a system/developer/tool message: a string or an array of text parts.
  bool text_parts(element content, const std::string& param, size_t& count) {
    count = 0;
    if (json::is_string(content)) {
      count = 1;
      return true;
    }
    array parts;
    if (content.get_array().get(parts))
      return fail("'content' must be a string or an array", param);
    size_t j = 0;
    for (element part : parts) {
      object p;
      if (part.get_object().get(p) || json::field_string(p, "type") != "text") {
        return fail("only text content parts are allowed here", at(param, j, "type"));
      }
      ++count;
      ++j;
    }
    return true;
  }

  bool write_system() {
    size_t system_messages = 0, blocks = 0;
    bool single_string = false;
    size_t i = 0;
    for (element m : messages_) {
      object msg;
      if (m.get_object().get(msg)) return fail("each message must be an object", at("messages", i));
      const auto role = json::field_string(msg, "role");
      if (role == "system" || role == "developer") {
        element content;
        if (!json::field(msg, "content", content)) {
          return fail("system message needs 'content'", at("messages", i, "content"));
        }
        size_t n = 0;
        if (!text_parts(content, at("messages", i, "content"), n)) return false;
        ++system_messages;
        blocks += n;
        single_string = json::is_string(content);
      }
      ++i;
    }
    if (system_messages == 0) return true;
    if (system_messages == 1 && single_string) {
      for (element m : messages_) {
        const auto role = json::field_string(json::as_object(m), "role");
        if (role == "system" || role == "developer") {
          w_.key("system").element(json::as_object(m)["content"].value_unsafe());
        }
      }
      return true;
    }
    w_.key("system").begin_array();
    for (element m : messages_) {
      object msg = json::as_object(m);
      const auto role = json::field_string(msg, "role");
      if (role != "system" && role != "developer") continue;
      element content = msg["content"].value_unsafe();
      if (json::is_string(content)) {
        text_block(json::str(content));
      } else {
        for (element part : json::as_array(content)) {
          text_block(json::field_string(json::as_object(part), "text"));
        }
      }
    }
    w_.end_array();
    (void)blocks;
    return true;
  }

  void text_block(std::string_view text) {
    w_.begin_object().key("type").string("text").key("text").string(text).end_object();
  }

  void open_turn(std::string_view role) {
    if (open_role_ == role) return;
    close_turn();
    w_.begin_object().key("role").string(role).key("content").begin_array();
    open_role_ = role;
  }
  void close_turn() {
    if (open_role_.empty()) return;
    w_.end_array().end_object();
    open_role_ = {};
  }

  bool write_messages() {
    w_.key("messages").begin_array();
    size_t i = 0;
    for (element m : messages_) {
      object msg = json::as_object(m);  // checked in write_system
      element role_el;
      if (!json::field(msg, "role", role_el) || !json::is_string(role_el)) {
        return fail("each message needs a string 'role'", at("messages", i, "role"));
      }
      const auto role = json::str(role_el);
      bool ok = true;
      if (role == "system" || role == "developer") {
        ok = check_keys(msg, i, {"role", "content"});
      } else if (role == "user") {
        ok = user_message(msg, i);
      } else if (role == "assistant") {
        ok = assistant_message(msg, i);
      } else if (role == "tool") {
        ok = tool_message(msg, i);
      } else {
        return fail("message role '" + std::string(role) + "' is not supported",
                    at("messages", i, "role"));
      }
      if (!ok) return false;
      ++i;
    }
    close_turn();
    w_.end_array();
    return true;
  }

  bool check_keys(object msg, size_t i, std::initializer_list<std::string_view> allowed) {
    for (auto [key, value] : msg) {
      bool known = false;
      for (auto a : allowed) known = known || key == a;
      if (!known && !json::is_null(value)) {
        return unsupported(at("messages", i, key), kToAnthropic);
      }
    }
    return true;
  }

  bool user_message(object msg, size_t i) {
    if (!check_keys(msg, i, {"role", "content"})) return false;
    element content;
    if (!json::field(msg, "content", content)) {
      return fail("user message needs 'content'", at("messages", i, "content"));
    }
    open_turn("user");
    if (json::is_string(content)) {
      if (!json::str(content).empty()) text_block(json::str(content));
      return true;
    }
    array parts;
    if (content.get_array().get(parts)) {
      return fail("'content' must be a string or an array", at("messages", i, "content"));
    }
    size_t j = 0;
    for (element part : parts) {
      object p;
      if (part.get_object().get(p)) {
        return fail("content parts must be objects", at("messages", i, "content", j));
      }
      const auto type = json::field_string(p, "type");
      if (type == "text") {
        text_block(json::field_string(p, "text"));
      } else if (type == "image_url") {
        if (!image_block(p, i, j)) return false;
      } else {
        return unsupported(at("messages", i, "content", j, "type"), kToAnthropic);
      }
      ++j;
    }
    return true;
  }

  bool image_block(object part, size_t i, size_t j) {
    element image;
    std::string_view url;
    if (json::field(part, "image_url", image)) {
      if (json::is_string(image)) {
        url = json::str(image);
      } else if (json::is_object(image)) {
        url = json::field_string(json::as_object(image), "url");
      }
    }
    std::string_view media_type, data;
    w_.begin_object().key("type").string("image").key("source").begin_object();
    if (parse_data_url(url, media_type, data)) {
      w_.key("type").string("base64").key("media_type").string(media_type);
      w_.key("data").string(data);
    } else if (is_http_url(url)) {
      w_.key("type").string("url").key("url").string(url);
    } else {
      return fail("image_url must be an http(s) URL or a base64 data: URL",
                  at("messages", i, "content", j, "image_url.url"));
    }
    w_.end_object().end_object();
    return true;
  }

  bool assistant_message(object msg, size_t i) {
    if (!check_keys(msg, i, {"role", "content", "tool_calls", "refusal", "reasoning_content"})) {
      return false;
    }
    open_turn("assistant");
    element content;
    if (json::field(msg, "content", content)) {
      if (json::is_string(content)) {
        if (!json::str(content).empty()) text_block(json::str(content));
      } else {
        array parts;
        if (content.get_array().get(parts)) {
          return fail("'content' must be a string or an array", at("messages", i, "content"));
        }
        size_t j = 0;
        for (element part : parts) {
          object p;
          if (part.get_object().get(p)) {
            return fail("content parts must be objects", at("messages", i, "content", j));
          }
          const auto type = json::field_string(p, "type");
          if (type == "text") {
            text_block(json::field_string(p, "text"));
          } else if (type == "refusal") {
            text_block(json::field_string(p, "refusal"));
          } else {
            return unsupported(at("messages", i, "content", j, "type"), kToAnthropic);
          }
          ++j;
        }
      }
    } else if (element refusal; json::field(msg, "refusal", refusal) && json::is_string(refusal)) {
      text_block(json::str(refusal));
    }
    element calls_el;
    if (!json::field(msg, "tool_calls", calls_el)) return true;
    array calls;
    if (calls_el.get_array().get(calls)) {
      return fail("'tool_calls' must be an array", at("messages", i, "tool_calls"));
    }
    size_t j = 0;
    for (element c : calls) {
      object call, fn;
      if (c.get_object().get(call)) {
        return fail("tool calls must be objects", at("messages", i, "tool_calls", j));
      }
      const auto type = json::field_string(call, "type");
      if (!type.empty() && type != "function") {
        return unsupported(at("messages", i, "tool_calls", j, "type"), kToAnthropic);
      }
      element fn_el;
      if (!json::field(call, "function", fn_el) || fn_el.get_object().get(fn)) {
        return fail("tool call needs a 'function' object",
                    at("messages", i, "tool_calls", j, "function"));
      }
      const auto id = json::field_string(call, "id");
      const auto name = json::field_string(fn, "name");
      if (id.empty() || name.empty()) {
        return fail("tool call needs an 'id' and a function 'name'",
                    at("messages", i, "tool_calls", j));
      }
      w_.begin_object().key("type").string("tool_use").key("id").string(id);
      w_.key("name").string(name).key("input");
      const auto arguments = json::field_string(fn, "arguments");
      if (arguments.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        w_.begin_object().end_object();
      } else {
        element parsed;
        if (!json::parse(json::ParserSlot::kNested, arguments, parsed) ||
            !json::is_object(parsed)) {
          return fail("tool call arguments must be a JSON object",
                      at("messages", i, "tool_calls", j, "function.arguments"));
        }
        w_.element(parsed);
      }
      w_.end_object();
      ++j;
    }
    return true;
  }

  bool tool_message(object msg, size_t i) {
    if (!check_keys(msg, i, {"role", "content", "tool_call_id"})) return false;
    const auto id = json::field_string(msg, "tool_call_id");
    if (id.empty()) {
      return fail("tool message needs 'tool_call_id'", at("messages", i, "tool_call_id"));
    }
    element content;
    size_t n = 0;
    const bool has_content = json::field(msg, "content", content);
    if (has_content && !text_parts(content, at("messages", i, "content"), n)) return false;
    open_turn("user");
    w_.begin_object().key("type").string("tool_result").key("tool_use_id").string(id);
    if (has_content) {
      w_.key("content");
      if (json::is_string(content)) {
        w_.string(json::str(content));
      } else {
        w_.begin_array();
        for (element part : json::as_array(content)) {
          text_block(json::field_string(json::as_object(part), "text"));
        }
        w_.end_array();
      }
    }
    w_.end_object();
    return true;
  }

  bool write_tools() {
    if (has_response_format_) {
      object rf;
      if (response_format_.get_object().get(rf)) {
        return fail("'response_format' must be an object", "response_format");
      }
      const auto type = json::field_string(rf, "type");
      if (type == "json_schema") {
        if (has_tools_) {
          return fail(
              "'response_format' json_schema together with 'tools' has no faithful Anthropic "
              "mapping",
              "response_format");
        }
        element js_el;
        object js;
        if (!json::field(rf, "json_schema", js_el) || js_el.get_object().get(js)) {
          return fail("'response_format.json_schema' must be an object",
                      "response_format.json_schema");
        }
        std::string error;
        if (!write_schema_tool(w_, js, result_.response_format_tool, error)) {
          return fail(std::move(error), "response_format.json_schema.schema");
        }
        return true;
      }
      if (type != "text") return unsupported("response_format.type", kToAnthropic);
    }
    if (has_tools_) {
      w_.key("tools").begin_array();
      size_t i = 0;
      for (element t : tools_) {
        object tool, fn;
        element fn_el;
        if (t.get_object().get(tool)) return fail("tools must be objects", at("tools", i));
        if (json::field_string(tool, "type") != "function") {
          return unsupported(at("tools", i, "type"), kToAnthropic);
        }
        if (!json::field(tool, "function", fn_el) || fn_el.get_object().get(fn)) {
          return fail("tool needs a 'function' object", at("tools", i, "function"));
        }
        const auto name = json::field_string(fn, "name");
        if (name.empty())
          return fail("tool needs a function 'name'", at("tools", i, "function.name"));
        w_.begin_object().key("name").string(name);
        if (auto d = json::field_string(fn, "description"); !d.empty()) {
          w_.key("description").string(d);
        }
        w_.key("input_schema");
        element params;
        if (json::field(fn, "parameters", params)) {
          if (!json::is_object(params)) {
            return fail("'parameters' must be an object", at("tools", i, "function.parameters"));
          }
          w_.element(params);
        } else {
          w_.begin_object().key("type").string("object").key("properties").begin_object();
          w_.end_object().end_object();
        }
        w_.end_object();
        ++i;
      }
      w_.end_array();
    }
    return write_tool_choice();
  }

  bool write_tool_choice() {
    std::string_view type = "auto", name;
    if (has_tool_choice_) {
      if (json::is_string(tool_choice_)) {
        const auto choice = json::str(tool_choice_);
        if (choice == "auto") {
          type = "auto";
        } else if (choice == "none") {
          type = "none";
        } else if (choice == "required") {
          type = "any";
        } else {
          return fail("'tool_choice' must be auto, none, required or a function", "tool_choice");
        }
      } else {
        object tc, fn;
        element fn_el;
        if (tool_choice_.get_object().get(tc) || json::field_string(tc, "type") != "function" ||
            !json::field(tc, "function", fn_el) || fn_el.get_object().get(fn) ||
            json::field_string(fn, "name").empty()) {
          return fail("'tool_choice' must be auto, none, required or a function", "tool_choice");
        }
        type = "tool";
        name = json::field_string(fn, "name");
      }
    }
    if (!has_tools_) {
      if (type == "auto" || type == "none") return true;
      return fail("'tool_choice' requires 'tools'", "tool_choice");
    }
    if (!has_tool_choice_ && !disable_parallel_) return true;
    w_.key("tool_choice").begin_object().key("type").string(type);
    if (!name.empty()) w_.key("name").string(name);
    if (disable_parallel_ && type != "none") w_.key("disable_parallel_tool_use").boolean(true);
    w_.end_object();
    return true;
  }

  bool write_stop() {
    if (!has_stop_) return true;
    if (json::is_string(stop_)) {
      w_.key("stop_sequences").begin_array().string(json::str(stop_)).end_array();
      return true;
    }
    array stops;
    if (stop_.get_array().get(stops)) {
      return fail("'stop' must be a string or an array of strings", "stop");
    }
    if (stops.size() == 0) return true;
    w_.key("stop_sequences").begin_array();
    for (element s : stops) {
      if (!json::is_string(s))
        return fail("'stop' must be a string or an array of strings", "stop");
      w_.string(json::str(s));
    }
    w_.end_array();
    return true;
  }

  const TranslateOptions& options_;
  JsonWriter w_;
  std::string_view model_, user_, open_role_;
  array messages_, tools_;
  element temperature_, top_p_, top_k_, stop_, tool_choice_, response_format_;
  bool messages_present_ = false, has_tools_ = false, has_tool_choice_ = false;
  bool has_temperature_ = false, has_top_p_ = false, has_top_k_ = false, has_stop_ = false;
  bool has_response_format_ = false, disable_parallel_ = false;
  int64_t max_tokens_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Anthropic -> OpenAI

constexpr std::string_view kToOpenAi = "an Anthropic request for an OpenAI upstream";

// Longest x-ringgate-dropped-fields value: a request can name any number of unknown fields, and
// the header must stay far below any client's or proxy's head limit.
constexpr size_t kMaxDroppedFieldsBytes = 1024;

// A field name as it may appear in a header value: names come from the client's JSON keys, so
// anything but [A-Za-z0-9_.$-] (a CR, a comma, a non-ASCII byte) becomes '_', and long names are
// cut.
void append_header_safe_name(std::string& out, std::string_view name) {
  constexpr size_t kMaxName = 64;
  for (size_t i = 0; i < name.size() && i < kMaxName; ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-' || c == '$';
    out.push_back(ok ? c : '_');
  }
}

// reasoning_effort for a thinking budget: Claude Code's own levels ("think" 4000, "think hard"
// 10000, "ultrathink" 31999) land on low, medium and high.
std::string_view effort_for_budget(int64_t budget_tokens) {
  if (budget_tokens < 4096) return "low";
  if (budget_tokens < 16384) return "medium";
  return "high";
}

class AnthropicToOpenAi : Translation {
 public:
  AnthropicToOpenAi(const TranslateOptions& options, TranslateResult& result)
      : Translation(result), options_(options), w_(result.body) {}
  static ToolHistoryRepair repair(element root) { return repair_messages_tool_history(root); }

  bool run(element root_element) {
    object root;
    if (root_element.get_object().get(root)) return fail("request body must be a JSON object", "");
    if (!read_fields(root)) return false;
    if (!messages_present_) return fail("'messages' is required", "messages");
    if (!choose_reasoning_effort()) return false;

    w_.begin_object();
    w_.key("model").string(options_.model_override.empty() ? model_ : options_.model_override);
    w_.key("messages").begin_array();
    if (!write_system()) return false;
    if (!write_messages()) return false;
    w_.end_array();
    const int64_t max_tokens = max_tokens_ ? max_tokens_ : options_.default_max_tokens;
    if (max_tokens > 0) {
      w_.key(options_.use_max_completion_tokens ? "max_completion_tokens" : "max_tokens");
      w_.integer(max_tokens);
    }
    if (!reasoning_effort_.empty()) w_.key("reasoning_effort").string(reasoning_effort_);
    if (has_stop_) {
      w_.key("stop").begin_array();
      for (element s : stop_) w_.string(json::str(s));
      w_.end_array();
    }
    if (has_temperature_) w_.key("temperature").element(temperature_);
    if (has_top_p_) w_.key("top_p").element(top_p_);
    if (has_top_k_) w_.key("top_k").element(top_k_);
    if (!write_tools()) return false;
    if (!user_.empty()) w_.key("user").string(user_);
    if (result_.stream) {
      w_.key("stream").boolean(true);
      w_.key("stream_options").begin_object().key("include_usage").boolean(true).end_object();
    }
    w_.end_object();
    report_dropped();
    return true;
  }

 private:
  // A field with no faithful OpenAI equivalent (see UnsupportedFields): left out and named by
  // `name` in x-ringgate-dropped-fields, or refused naming `param()` (its full path).
  template <typename Param>
  bool without_equivalent(std::string_view name, Param&& param) {
    if (options_.unsupported == UnsupportedFields::kRefuse) {
      std::string p = param();
      return fail("'" + p + "' has no equivalent in the OpenAI API and this model refuses such " +
                      "fields (unsupported_fields = \"refuse\")",
                  std::move(p));
    }
    dropped_.emplace_back(name);
    return true;
  }
  bool without_equivalent(std::string_view name) {
    return without_equivalent(name, [name] { return std::string(name); });
  }

  // Keys of an object other than `allowed` (and other than null ones) follow the policy, each
  // named by its own key; `path` is where the object sits, for a refusal.
  bool check_keys(object o, std::initializer_list<std::string_view> allowed,
                  const std::string& path) {
    for (auto field : o) {
      const std::string_view key = field.key;  // a plain variable: lambdas may capture it
      bool known = false;
      for (auto a : allowed) known = known || key == a;
      if (known || json::is_null(field.value)) continue;
      if (!without_equivalent(key, [&] { return path + "." + std::string(key); })) return false;
    }
    return true;
  }

  void report_dropped() {
    if (dropped_.empty()) return;
    std::sort(dropped_.begin(), dropped_.end());
    dropped_.erase(std::unique(dropped_.begin(), dropped_.end()), dropped_.end());
    std::string& out = result_.dropped_fields;
    for (const std::string& name : dropped_) {
      if (out.size() + name.size() + 1 > kMaxDroppedFieldsBytes) {
        out += out.empty() ? "..." : ",...";
        break;
      }
      if (!out.empty()) out.push_back(',');
      append_header_safe_name(out, name);
    }
  }

  bool read_fields(object root) {
    for (auto [key, value] : root) {
      const bool null = json::is_null(value);
      if (key == "model") {
        if (!json::is_string(value)) return fail("'model' must be a string", "model");
        model_ = json::str(value);
        result_.client_model = std::string(model_);
      } else if (key == "messages") {
        if (value.get_array().get(messages_))
          return fail("'messages' must be an array", "messages");
        messages_present_ = true;
      } else if (key == "max_tokens") {
        if (!json::is_integer(value) || json::integer(value) < 1) {
          return fail("'max_tokens' must be a positive integer", "max_tokens");
        }
        max_tokens_ = json::integer(value);
      } else if (key == "system") {
        if (null) continue;
        if (!json::is_string(value) && !json::is_array(value)) {
          return fail("'system' must be a string or an array of text blocks", "system");
        }
        system_ = value;
        has_system_ = true;
      } else if (key == "temperature" || key == "top_p") {
        if (null) continue;
        if (!json::is_number(value)) {
          return fail("'" + std::string(key) + "' must be a number", std::string(key));
        }
        (key == "temperature" ? temperature_ : top_p_) = value;
        (key == "temperature" ? has_temperature_ : has_top_p_) = true;
      } else if (key == "top_k") {
        if (null) continue;
        if (!json::is_integer(value)) return fail("'top_k' must be an integer", "top_k");
        top_k_ = value;
        has_top_k_ = true;
      } else if (key == "stop_sequences") {
        if (null) continue;
        if (value.get_array().get(stop_)) {
          return fail("'stop_sequences' must be an array of strings", "stop_sequences");
        }
        for (element s : stop_) {
          if (!json::is_string(s)) {
            return fail("'stop_sequences' must be an array of strings", "stop_sequences");
          }
        }
        has_stop_ = stop_.size() > 0;
      } else if (key == "stream") {
        if (!null && !json::is_bool(value)) return fail("'stream' must be a boolean", "stream");
        result_.stream = json::boolean(value);
      } else if (key == "tools") {
        if (null) continue;
        if (value.get_array().get(tools_)) return fail("'tools' must be an array", "tools");
        has_tools_ = tools_.size() > 0;
      } else if (key == "tool_choice") {
        if (!null) tool_choice_ = value, has_tool_choice_ = true;
      } else if (key == "metadata") {
        if (null) continue;
        object md;
        if (value.get_object().get(md)) return fail("'metadata' must be an object", "metadata");
        for (auto [mk, mv] : md) {
          if (mk != "user_id") {
            if (json::is_null(mv)) continue;
            std::string name = "metadata." + std::string(mk);
            if (!without_equivalent(name, [&] { return name; })) return false;
            continue;
          }
          if (!json::is_null(mv) && !json::is_string(mv)) {
            return fail("'metadata.user_id' must be a string", "metadata.user_id");
          }
          user_ = json::str(mv);
        }
      } else if (key == "thinking") {
        if (null) continue;
        if (!read_thinking(value)) return false;
      } else if (key == "output_config") {
        if (null) continue;
        if (!read_output_config(value)) return false;
      } else if (key == "service_tier") {
        // Billing hint only.
      } else if (key == "thread") {
        // Anthropic's message threads (the SDK's toolRunner and thread() send them): each turn
        // names a reply the server stored instead of resending the history.
        if (null) continue;
        return needs_server_state(
            "thread", kToOpenAi, "a message thread is a history the server holds between turns",
            "send the whole history in 'messages' without 'thread' (the SDK's toolRunner does so "
            "by itself after this error, or pass it thread: false)",
            protocol::ErrorCode::kThreadUnsupported);
      } else if (key == "container") {
        if (null) continue;
        return needs_server_state(
            "container", kToOpenAi,
            "a container is a code-execution sandbox Anthropic's servers keep",
            "send the request without 'container' and without server tools");
      } else {
        // context_management, mcp_servers and anything else Anthropic-only.
        if (null) continue;
        if (!without_equivalent(key)) return false;
      }
    }
    return true;
  }

  bool read_thinking(element value) {
    object th;
    if (value.get_object().get(th)) return fail("'thinking' must be an object", "thinking");
    const auto type = json::field_string(th, "type");
    if (type == "enabled") {
      thinking_ = Thinking::kEnabled;
      element budget;
      if (json::field(th, "budget_tokens", budget)) {
        if (!json::is_integer(budget) || json::integer(budget) < 1) {
          return fail("'thinking.budget_tokens' must be a positive integer",
                      "thinking.budget_tokens");
        }
        budget_tokens_ = json::integer(budget);
      }
    } else if (type == "adaptive") {
      thinking_ = Thinking::kAdaptive;
    } else if (type == "disabled") {
      thinking_ = Thinking::kDisabled;
    } else {
      return fail("'thinking.type' must be enabled, adaptive or disabled", "thinking.type");
    }
    return true;
  }

  bool read_output_config(element value) {
    object oc;
    if (value.get_object().get(oc)) {
      return fail("'output_config' must be an object", "output_config");
    }
    for (auto [k, v] : oc) {
      if (json::is_null(v)) continue;
      if (k == "effort") {
        const auto e = json::str(v);
        if (e != "low" && e != "medium" && e != "high" && e != "max") {
          return fail("'output_config.effort' must be low, medium, high or max",
                      "output_config.effort");
        }
        effort_ = e;
      } else {
        // format (structured output) and whatever comes next.
        std::string name = "output_config." + std::string(k);
        if (!without_equivalent(name, [&] { return name; })) return false;
      }
    }
    return true;
  }

  // thinking / output_config.effort -> reasoning_effort, for a model that reasons; for one that
  // does not they have no equivalent. An explicit effort wins ("max" is beyond OpenAI's scale:
  // high); else a thinking budget picks one (effort_for_budget); adaptive thinking without an
  // effort is Anthropic's default effort, high. Disabled thinking sends nothing: the upstream's
  // own default (not every reasoning model can stop reasoning).
  bool choose_reasoning_effort() {
    const bool thinks = thinking_ == Thinking::kEnabled || thinking_ == Thinking::kAdaptive;
    if (!options_.reasoning_model) {
      if (thinks && !without_equivalent("thinking")) return false;
      if (!effort_.empty() && !without_equivalent("output_config.effort")) return false;
      return true;
    }
    if (!effort_.empty()) {
      reasoning_effort_ = effort_ == "max" ? std::string_view("high") : effort_;
    } else if (thinking_ == Thinking::kEnabled) {
      reasoning_effort_ = budget_tokens_ > 0 ? effort_for_budget(budget_tokens_) : "medium";
    } else if (thinking_ == Thinking::kAdaptive) {
      reasoning_effort_ = "high";
    }
    return true;
  }

  // Text blocks of a system prompt (top-level or a system message) -> one string, or text parts.
  bool write_system_content(array blocks, const std::string& base) {
    size_t i = 0;
    for (element b : blocks) {
      object block;
      if (b.get_object().get(block) || json::field_string(block, "type") != "text") {
        return fail("system blocks must be text blocks", at(base, i, "type"));
      }
      if (!check_keys(block, {"type", "text"}, at(base, i))) return false;
      ++i;
    }
    if (i == 1) {
      w_.string(json::field_string(json::as_object(blocks.at(0).value_unsafe()), "text"));
    } else {
      w_.begin_array();
      for (element b : blocks) text_part(json::field_string(json::as_object(b), "text"));
      w_.end_array();
    }
    return true;
  }

  bool write_system() {
    if (!has_system_) return true;
    if (json::is_string(system_)) {
      w_.begin_object().key("role").string("system").key("content").string(json::str(system_));
      w_.end_object();
      return true;
    }
    array blocks = json::as_array(system_);
    if (blocks.size() == 0) return true;
    w_.begin_object().key("role").string("system").key("content");
    if (!write_system_content(blocks, "system")) return false;
    w_.end_object();
    return true;
  }

  // A `system` message inside `messages` (Claude Code sends them mid-conversation): a system
  // message at the same place, which OpenAI allows anywhere.
  bool system_message(element content, size_t i) {
    w_.begin_object().key("role").string("system").key("content");
    if (json::is_string(content)) {
      w_.string(json::str(content));
    } else if (!write_system_content(json::as_array(content), at("messages", i, "content"))) {
      return false;
    }
    w_.end_object();
    return true;
  }

  bool flush_deferred_system() {
    for (size_t i : deferred_system_) {
      element content;
      json::field(json::as_object(messages_.at(i).value_unsafe()), "content", content);
      if (!system_message(content, i)) return false;
    }
    deferred_system_.clear();
    return true;
  }

  void text_part(std::string_view text) {
    w_.begin_object().key("type").string("text").key("text").string(text).end_object();
  }

  bool write_messages() {
    size_t i = 0;
    for (element m : messages_) {
      object msg;
      if (m.get_object().get(msg)) return fail("each message must be an object", at("messages", i));
      if (!check_keys(msg, {"role", "content"}, at("messages", i))) return false;
      const auto role = json::field_string(msg, "role");
      element content;
      if (!json::field(msg, "content", content)) {
        return fail("each message needs 'content'", at("messages", i, "content"));
      }
      if (!json::is_string(content) && !json::is_array(content)) {
        return fail("'content' must be a string or an array of blocks",
                    at("messages", i, "content"));
      }
      bool ok;
      if (role == "user") {
        ok = user_message(content, i);
        awaiting_tool_results_ = false;
      } else if (role == "assistant") {
        ok = flush_deferred_system() && assistant_message(content, i);
      } else if (role == "system") {
        // Between an assistant's tool calls and their results it waits for the results: OpenAI
        // wants the tool messages right after the calls.
        if (awaiting_tool_results_) {
          deferred_system_.push_back(i);
          ok = true;
        } else {
          ok = system_message(content, i);
        }
      } else {
        return fail("message role must be 'user', 'assistant' or 'system'",
                    at("messages", i, "role"));
      }
      if (!ok) return false;
      ++i;
    }
    return flush_deferred_system();
  }

  bool user_message(element content, size_t i) {
    if (json::is_string(content)) {
      if (!flush_deferred_system()) return false;
      w_.begin_object().key("role").string("user").key("content").string(json::str(content));
      w_.end_object();
      return true;
    }
    array blocks = json::as_array(content);
    // Tool results first: OpenAI wants them right after the assistant message with the calls.
    size_t j = 0, other = 0, other_text = 0;
    for (element b : blocks) {
      object block;
      if (b.get_object().get(block)) {
        return fail("content blocks must be objects", at("messages", i, "content", j));
      }
      const auto type = json::field_string(block, "type");
      if (type == "tool_result") {
        if (!check_keys(block, {"type", "tool_use_id", "content", "is_error"},
                        at("messages", i, "content", j))) {
          return false;
        }
        if (!tool_result(block, i, j)) return false;
      } else if (type == "text" || type == "image") {
        if (!check_keys(block, {"type", type == "text" ? "text" : "source"},
                        at("messages", i, "content", j))) {
          return false;
        }
        ++other;
        other_text += type == "text";
      } else {
        return unsupported(at("messages", i, "content", j, "type"), kToOpenAi);
      }
      ++j;
    }
    if (!flush_deferred_system()) return false;
    if (other == 0) return true;
    w_.begin_object().key("role").string("user").key("content");
    if (other == 1 && other_text == 1) {
      for (element b : blocks) {
        object block = json::as_object(b);
        if (json::field_string(block, "type") == "text")
          w_.string(json::field_string(block, "text"));
      }
    } else {
      w_.begin_array();
      j = 0;
      for (element b : blocks) {
        object block = json::as_object(b);
        const auto type = json::field_string(block, "type");
        if (type == "text") {
          text_part(json::field_string(block, "text"));
        } else if (type == "image") {
          if (!image_part(block, at("messages", i, "content", j, "source"))) return false;
        }
        ++j;
      }
      w_.end_array();
    }
    w_.end_object();
    return true;
  }

  bool image_part(object block, const std::string& param) {
    element source_el;
    object source;
    if (!json::field(block, "source", source_el) || source_el.get_object().get(source)) {
      return fail("image block needs a 'source' object", param);
    }
    const auto type = json::field_string(source, "type");
    w_.begin_object().key("type").string("image_url").key("image_url").begin_object().key("url");
    if (type == "base64") {
      const auto media_type = json::field_string(source, "media_type");
      if (media_type.empty()) return fail("base64 image needs 'media_type'", param);
      w_.begin_string().string_piece("data:").string_piece(media_type).string_piece(";base64,");
      w_.string_piece(json::field_string(source, "data")).end_string();
    } else if (type == "url") {
      const auto url = json::field_string(source, "url");
      if (!is_http_url(url)) return fail("image url must be http(s)", param + ".url");
      w_.string(url);
    } else {
      return unsupported(param + ".type", kToOpenAi);
    }
    w_.end_object().end_object();
    return true;
  }

  bool tool_result(object block, size_t i, size_t j) {
    const auto id = json::field_string(block, "tool_use_id");
    if (id.empty()) {
      return fail("tool_result needs 'tool_use_id'",
                  at("messages", i, "content", j, "tool_use_id"));
    }
    element err;
    const bool is_error = json::field(block, "is_error", err) && json::boolean(err);
    w_.begin_object().key("role").string("tool").key("tool_call_id").string(id).key("content");
    element content;
    if (!json::field(block, "content", content)) {
      w_.string(is_error ? "Error: " : "");
    } else if (json::is_string(content)) {
      w_.begin_string();
      if (is_error) w_.string_piece("Error: ");
      w_.string_piece(json::str(content)).end_string();
    } else {
      array parts;
      if (content.get_array().get(parts)) {
        return fail("tool_result 'content' must be a string or an array",
                    at("messages", i, "content", j, "content"));
      }
      size_t k = 0;
      for (element p : parts) {
        object part;
        if (p.get_object().get(part) || json::field_string(part, "type") != "text") {
          return fail("only text blocks can be sent to an OpenAI upstream in a tool result",
                      at("messages", i, "content", j, "content[" + std::to_string(k) + "].type"));
        }
        if (!check_keys(part, {"type", "text"},
                        at("messages", i, "content", j, "content[" + std::to_string(k) + "]"))) {
          return false;
        }
        ++k;
      }
      if (k == 1 || is_error) {
        // One text (or an error, whose prefix needs a single string).
        w_.begin_string();
        if (is_error) w_.string_piece("Error: ");
        for (element p : parts) {
          w_.string_piece(json::field_string(json::as_object(p), "text"));
        }
        w_.end_string();
      } else {
        w_.begin_array();
        for (element p : parts) text_part(json::field_string(json::as_object(p), "text"));
        w_.end_array();
      }
    }
    w_.end_object();
    return true;
  }

  bool assistant_message(element content, size_t i) {
    awaiting_tool_results_ = false;
    w_.begin_object().key("role").string("assistant").key("content");
    if (json::is_string(content)) {
      w_.string(json::str(content));
      w_.end_object();
      return true;
    }
    array blocks = json::as_array(content);
    size_t j = 0, texts = 0, calls = 0;
    for (element b : blocks) {
      object block;
      if (b.get_object().get(block)) {
        return fail("content blocks must be objects", at("messages", i, "content", j));
      }
      const auto type = json::field_string(block, "type");
      if (type == "text") {
        ++texts;
        if (!check_keys(block, {"type", "text"}, at("messages", i, "content", j))) return false;
      } else if (type == "tool_use") {
        ++calls;
        element input;
        if (json::field_string(block, "id").empty() || json::field_string(block, "name").empty() ||
            !json::field(block, "input", input) || !json::is_object(input)) {
          return fail("tool_use needs 'id', 'name' and an object 'input'",
                      at("messages", i, "content", j));
        }
        if (!check_keys(block, {"type", "id", "name", "input"}, at("messages", i, "content", j))) {
          return false;
        }
      } else if (type != "thinking" && type != "redacted_thinking") {
        return unsupported(at("messages", i, "content", j, "type"), kToOpenAi);
      }
      ++j;
    }
    if (texts == 0) {
      w_.null();
    } else {
      w_.begin_string();
      for (element b : blocks) {
        object block = json::as_object(b);
        if (json::field_string(block, "type") == "text") {
          w_.string_piece(json::field_string(block, "text"));
        }
      }
      w_.end_string();
    }
    if (calls > 0) {
      w_.key("tool_calls").begin_array();
      std::string& scratch = arguments_scratch();
      for (element b : blocks) {
        object block = json::as_object(b);
        if (json::field_string(block, "type") != "tool_use") continue;
        w_.begin_object().key("id").string(json::field_string(block, "id"));
        w_.key("type").string("function").key("function").begin_object();
        w_.key("name").string(json::field_string(block, "name"));
        scratch.clear();
        JsonWriter(scratch).element(block["input"].value_unsafe());
        w_.key("arguments").string(scratch);
        w_.end_object().end_object();
      }
      w_.end_array();
      awaiting_tool_results_ = true;
    }
    w_.end_object();
    return true;
  }

  static std::string& arguments_scratch() {
    thread_local std::string scratch;
    return scratch;
  }

  bool write_tools() {
    if (has_tools_) {
      w_.key("tools").begin_array();
      size_t i = 0;
      for (element t : tools_) {
        object tool;
        if (t.get_object().get(tool)) return fail("tools must be objects", at("tools", i));
        const auto type = json::field_string(tool, "type");
        if (!type.empty() && type != "custom") {
          return unsupported(at("tools", i, "type"), kToOpenAi);
        }
        const auto name = json::field_string(tool, "name");
        if (name.empty()) return fail("tool needs a 'name'", at("tools", i, "name"));
        element schema;
        if (!json::field(tool, "input_schema", schema) || !json::is_object(schema)) {
          return fail("tool needs an object 'input_schema'", at("tools", i, "input_schema"));
        }
        if (!check_keys(tool, {"type", "name", "description", "input_schema", "strict"},
                        at("tools", i))) {
          return false;
        }
        w_.begin_object().key("type").string("function").key("function").begin_object();
        w_.key("name").string(name);
        if (auto d = json::field_string(tool, "description"); !d.empty()) {
          w_.key("description").string(d);
        }
        w_.key("parameters").element(schema);
        if (element strict; json::field(tool, "strict", strict) && json::is_bool(strict)) {
          w_.key("strict").boolean(json::boolean(strict));
        }
        w_.end_object().end_object();
        ++i;
      }
      w_.end_array();
    }
    if (!has_tool_choice_) return true;
    object tc;
    if (tool_choice_.get_object().get(tc))
      return fail("'tool_choice' must be an object", "tool_choice");
    const auto type = json::field_string(tc, "type");
    element dp;
    const bool disable_parallel =
        json::field(tc, "disable_parallel_tool_use", dp) && json::boolean(dp);
    if (type != "auto" && type != "any" && type != "tool" && type != "none") {
      return fail("'tool_choice.type' must be auto, any, tool or none", "tool_choice.type");
    }
    if (!has_tools_) {
      if (type == "auto" || type == "none") return true;
      return fail("'tool_choice' requires 'tools'", "tool_choice");
    }
    w_.key("tool_choice");
    if (type == "tool") {
      const auto name = json::field_string(tc, "name");
      if (name.empty()) return fail("'tool_choice.name' is required", "tool_choice.name");
      w_.begin_object().key("type").string("function").key("function").begin_object();
      w_.key("name").string(name).end_object().end_object();
    } else {
      w_.string(type == "any" ? "required" : type);
    }
    if (disable_parallel && type != "none") w_.key("parallel_tool_calls").boolean(false);
    return true;
  }

  enum class Thinking : uint8_t { kAbsent, kEnabled, kAdaptive, kDisabled };

  const TranslateOptions& options_;
  JsonWriter w_;
  std::string_view model_, user_, effort_, reasoning_effort_;
  array messages_, tools_, stop_;
  element system_, temperature_, top_p_, top_k_, tool_choice_;
  bool messages_present_ = false, has_system_ = false, has_tools_ = false;
  bool has_tool_choice_ = false, has_temperature_ = false, has_top_p_ = false;
  bool has_top_k_ = false, has_stop_ = false;
  bool awaiting_tool_results_ = false;  // the last message written was an assistant's tool calls
  Thinking thinking_ = Thinking::kAbsent;
  int64_t max_tokens_ = 0, budget_tokens_ = 0;
  std::vector<std::string> dropped_;
  std::vector<size_t> deferred_system_;  // indexes of system messages waiting for tool results
};

// The history is repaired first (tool_history_repair.h): what the translator reads is a history
// both APIs accept.
template <typename Translator>
TranslateResult translate_root(element root, size_t size_hint, const TranslateOptions& options) {
  TranslateResult result;
  ToolHistoryRepair repair = Translator::repair(root);
  if (repair.repaired) {
    if (!json::parse(json::ParserSlot::kRepaired, repair.body, root)) {
      result.status = 500;
      result.error_message = "the repaired tool history is not valid JSON";
      return result;
    }
    size_hint = repair.body.size();
    result.tool_history_repairs = std::move(repair.header);
  }
  result.body.reserve(size_hint + 64);
  Translator translator(options, result);
  result.ok = translator.run(root);
  if (!result.ok) result.body.clear();
  return result;
}

template <typename Translator>
TranslateResult translate(std::string_view body, const TranslateOptions& options) {
  element root;
  if (!json::parse(json::ParserSlot::kDocument, body, root)) {
    TranslateResult result;
    result.error_message = "request body is not valid JSON";
    return result;
  }
  return translate_root<Translator>(root, body.size(), options);
}

}  // namespace

TranslateResult openai_chat_to_anthropic(std::string_view body, const TranslateOptions& options) {
  return translate<OpenAiToAnthropic>(body, options);
}

TranslateResult anthropic_to_openai_chat(std::string_view body, const TranslateOptions& options) {
  return translate<AnthropicToOpenAi>(body, options);
}

TranslateResult openai_chat_to_anthropic(simdjson::dom::element root, size_t size_hint,
                                         const TranslateOptions& options) {
  return translate_root<OpenAiToAnthropic>(root, size_hint, options);
}

TranslateResult anthropic_to_openai_chat(simdjson::dom::element root, size_t size_hint,
                                         const TranslateOptions& options) {
  return translate_root<AnthropicToOpenAi>(root, size_hint, options);
}

}  // namespace ringgate::providers
