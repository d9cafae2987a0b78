#include "providers/error_translator.h"

#include "protocol/api_error.h"
#include "protocol/error_body.h"
#include "providers/json_access.h"

namespace ringgate::providers {
namespace {

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '*' || c == '.';
}

// Pulls message/type out of whatever error shape the upstream used: OpenAI's {"error":{...}},
// Anthropic's {"type":"error","error":{...}}, vLLM's flat {"message":...,"type":...} or a
// FastAPI-style {"detail":"..."}.
struct ParsedError {
  std::string_view message, type, code, param;
};

ParsedError parse_error(std::string_view body) {
  ParsedError e;
  json::element root;
  if (!json::parse(json::ParserSlot::kDocument, body, root) || !json::is_object(root)) return e;
  json::object obj = json::as_object(root), inner = obj;
  json::element err;
  if (json::field(obj, "error", err)) {
    if (json::is_object(err)) {
      inner = json::as_object(err);
    } else if (json::is_string(err)) {
      e.message = json::str(err);
    }
  }
  if (e.message.empty()) e.message = json::field_string(inner, "message");
  if (e.message.empty()) e.message = json::field_string(obj, "detail");
  e.type = json::field_string(inner, "type");
  if (e.type == "error") e.type = {};
  e.code = json::field_string(inner, "code");
  e.param = json::field_string(inner, "param");
  return e;
}

std::string fallback_message(int status) {
  return "upstream returned HTTP " + std::to_string(status);
}

}  // namespace

std::string redact_keys(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "sk-") == 0 && (i == 0 || !key_char(text[i - 1]))) {
      size_t end = i + 3;
      while (end < text.size() && key_char(text[end])) ++end;
      if (end - i >= 12) {
        out += "sk-***";
        i = end;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

TranslateResult anthropic_error_to_openai(int status, std::string_view body) {
  TranslateResult r;
  r.ok = true;
  const ParsedError e = parse_error(body);
  r.status = status == 529 ? 503 : status;
  const std::string message = e.message.empty() ? fallback_message(status) : redact_keys(e.message);
  // Anthropic's own type (e.g. overloaded_error) is kept as the OpenAI `code`, so nothing the
  // upstream said is lost.
  r.body = protocol::openai_error_body(message, protocol::openai_error_type(r.status), e.type);
  r.error_message = message;
  return r;
}

TranslateResult openai_error_to_anthropic(int status, std::string_view body) {
  TranslateResult r;
  r.ok = true;
  const ParsedError e = parse_error(body);
  r.status = status;
  std::string message = e.message.empty() ? fallback_message(status) : redact_keys(e.message);
  if (!e.param.empty()) message += " (param: " + std::string(e.param) + ")";
  r.body = protocol::anthropic_error_body(protocol::anthropic_error_type(status), message);
  r.error_message = message;
  r.error_param = std::string(e.param);
  return r;
}

}  // namespace ringgate::providers
