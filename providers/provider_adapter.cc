// Dispatch by format and by translation direction: the one place that knows which family and
// which translator answers, so callers hold a format or a Translation and nothing else.
#include "providers/provider_adapter.h"

#include "providers/error_translator.h"
#include "providers/provider_families.h"
#include "providers/request_translator.h"
#include "providers/response_translator.h"
#include "providers/responses_request_translator.h"
#include "providers/responses_response_translator.h"

namespace ringgate::providers {

namespace {

bool anthropic(ApiFormat format) { return format == ApiFormat::kAnthropic; }

TranslateResult no_translation() {
  TranslateResult r;
  r.status = 500;
  r.error_message = "no translation applies to this request";
  return r;
}

}  // namespace

EndpointPlan::Models models_endpoint(std::string_view client_endpoint) {
  if (client_endpoint == "/models") return EndpointPlan::Models::kList;
  if (client_endpoint.starts_with("/models/") && client_endpoint.size() > 8) {
    return EndpointPlan::Models::kOne;
  }
  return EndpointPlan::Models::kNo;
}

EndpointPlan plan_endpoint(const UpstreamTarget& target, std::string_view client_endpoint,
                           std::string_view model, protocol::ApiFront client) {
  EndpointPlan plan = anthropic(target.format)
                          ? anthropic_family::plan_endpoint(client_endpoint)
                          : openai_family::plan_endpoint(target, client_endpoint, model);
  const EndpointPlan::Models models = models_endpoint(client_endpoint);
  const protocol::ApiFront upstream =
      anthropic(target.format) ? protocol::ApiFront::kAnthropic : protocol::ApiFront::kOpenAi;
  if (plan.ok() && models != EndpointPlan::Models::kNo && client != upstream) {
    plan.models = models;
    plan.translation = client == protocol::ApiFront::kAnthropic
                           ? Translation::kAnthropicClientToOpenAi
                           : Translation::kOpenAiClientToAnthropic;
  }
  return plan;
}

void append_request_target(const UpstreamTarget& target, std::string_view upstream_endpoint,
                           std::string_view model, std::string_view client_query,
                           std::string& out) {
  if (anthropic(target.format)) {
    anthropic_family::append_request_target(target, upstream_endpoint, client_query, out);
  } else {
    openai_family::append_request_target(target, upstream_endpoint, model, client_query, out);
  }
}

std::string_view forwarded_query(Translation t, std::string_view client_query) {
  return t == Translation::kNone ? client_query : std::string_view();
}

HeaderField auth_header(ApiFormat format) {
  return anthropic(format) ? anthropic_family::auth_header() : openai_family::auth_header(format);
}

std::span<const HeaderField> default_headers(ApiFormat format) {
  if (anthropic(format)) return anthropic_family::default_headers();
  return {};
}

TranslateResult translate_request(Translation t, simdjson::dom::element root, size_t size_hint,
                                  const TranslateOptions& options) {
  switch (t) {
    case Translation::kOpenAiClientToAnthropic:
      return openai_chat_to_anthropic(root, size_hint, options);
    case Translation::kAnthropicClientToOpenAi:
      return anthropic_to_openai_chat(root, size_hint, options);
    case Translation::kResponsesClientToAnthropic:
      return responses_to_anthropic(root, size_hint, options);
    case Translation::kResponsesClientToChat:
      return responses_to_openai_chat(root, size_hint, options);
    case Translation::kNone:
      break;
  }
  return no_translation();
}

TranslateResult translate_request(Translation t, std::string_view body,
                                  const TranslateOptions& options) {
  switch (t) {
    case Translation::kOpenAiClientToAnthropic:
      return openai_chat_to_anthropic(body, options);
    case Translation::kAnthropicClientToOpenAi:
      return anthropic_to_openai_chat(body, options);
    case Translation::kResponsesClientToAnthropic:
      return responses_to_anthropic(body, options);
    case Translation::kResponsesClientToChat:
      return responses_to_openai_chat(body, options);
    case Translation::kNone:
      break;
  }
  return no_translation();
}

// The response travels the other way: an OpenAI client's request went to Anthropic, so the
// Anthropic response comes back to OpenAI.
TranslateResult translate_response(Translation t, std::string_view body,
                                   const ResponseOptions& options) {
  switch (t) {
    case Translation::kOpenAiClientToAnthropic:
      return anthropic_response_to_openai(body, options);
    case Translation::kAnthropicClientToOpenAi:
      return openai_response_to_anthropic(body, options);
    case Translation::kResponsesClientToAnthropic:
      return anthropic_response_to_responses(body, options);
    case Translation::kResponsesClientToChat:
      return chat_response_to_responses(body, options);
    case Translation::kNone:
      break;
  }
  return no_translation();
}

TranslateResult translate_error(Translation t, int status, std::string_view body) {
  switch (t) {
    case Translation::kOpenAiClientToAnthropic:
    case Translation::kResponsesClientToAnthropic:
      return anthropic_error_to_openai(status, body);
    case Translation::kResponsesClientToChat: {
      // Both sides speak OpenAI's error shape: the upstream's error reaches the client as sent.
      TranslateResult same;
      same.ok = true;
      same.status = status;
      same.body.assign(body);
      return same;
    }
    case Translation::kAnthropicClientToOpenAi:
      return openai_error_to_anthropic(status, body);
    case Translation::kNone:
      break;
  }
  return no_translation();
}

StreamTranslator::StreamTranslator(Translation t, StreamOptions options) {
  switch (t) {
    case Translation::kOpenAiClientToAnthropic:
      impl_.emplace<AnthropicToOpenAiStream>(std::move(options));
      break;
    case Translation::kAnthropicClientToOpenAi:
      impl_.emplace<OpenAiToAnthropicStream>(std::move(options));
      break;
    case Translation::kResponsesClientToAnthropic:
      impl_.emplace<AnthropicToResponsesStream>(std::move(options));
      break;
    case Translation::kResponsesClientToChat:
      impl_.emplace<ChatToResponsesStream>(std::move(options));
      break;
    case Translation::kNone:
      break;
  }
}

// Each call is one switch over the variant; monostate (no translation) does nothing.
void StreamTranslator::on_event(std::string_view event, std::string_view data, std::string& out) {
  std::visit(
      [&](auto& s) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(s)>, std::monostate>)
          s.on_event(event, data, out);
      },
      impl_);
}

void StreamTranslator::finish(std::string& out) {
  std::visit(
      [&](auto& s) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(s)>, std::monostate>) s.finish(out);
      },
      impl_);
}

void StreamTranslator::fail(std::string& out, std::string_view message) {
  std::visit(
      [&](auto& s) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(s)>, std::monostate>)
          s.fail(out, message);
      },
      impl_);
}

bool StreamTranslator::done() const {
  return std::visit(
      [](const auto& s) {
        if constexpr (std::is_same_v<std::decay_t<decltype(s)>, std::monostate>) {
          return true;
        } else {
          return s.done();
        }
      },
      impl_);
}

const TokenUsage& StreamTranslator::usage() const {
  static const TokenUsage kNone;
  return std::visit(
      [](const auto& s) -> const TokenUsage& {
        if constexpr (std::is_same_v<std::decay_t<decltype(s)>, std::monostate>) {
          return kNone;
        } else {
          return s.usage();
        }
      },
      impl_);
}

const std::string& StreamTranslator::output_items() const {
  static const std::string kNone;
  if (auto* a = std::get_if<AnthropicToResponsesStream>(&impl_)) return a->output_items();
  if (auto* c = std::get_if<ChatToResponsesStream>(&impl_)) return c->output_items();
  return kNone;
}

}  // namespace ringgate::providers
