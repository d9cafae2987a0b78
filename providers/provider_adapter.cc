// Dispatch by format and by translation direction: the one place that knows which family and
// which translator answers, so callers hold a format or a Translation and nothing else.
#include "providers/provider_adapter.h"

#include "providers/error_translator.h"
#include "providers/provider_families.h"
#include "providers/request_translator.h"
#include "providers/response_translator.h"

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
    case Translation::kNone:
      break;
  }
  return no_translation();
}

TranslateResult translate_error(Translation t, int status, std::string_view body) {
  switch (t) {
    case Translation::kOpenAiClientToAnthropic:
      return anthropic_error_to_openai(status, body);
    case Translation::kAnthropicClientToOpenAi:
      return openai_error_to_anthropic(status, body);
    case Translation::kNone:
      break;
  }
  return no_translation();
}

StreamTranslator::StreamTranslator(Translation t, StreamOptions options) {
  if (t == Translation::kOpenAiClientToAnthropic) {
    impl_.emplace<AnthropicToOpenAiStream>(std::move(options));
  } else if (t == Translation::kAnthropicClientToOpenAi) {
    impl_.emplace<OpenAiToAnthropicStream>(std::move(options));
  }
}

void StreamTranslator::on_event(std::string_view event, std::string_view data, std::string& out) {
  if (auto* a = std::get_if<AnthropicToOpenAiStream>(&impl_)) return a->on_event(event, data, out);
  if (auto* o = std::get_if<OpenAiToAnthropicStream>(&impl_)) o->on_event(event, data, out);
}

void StreamTranslator::finish(std::string& out) {
  if (auto* a = std::get_if<AnthropicToOpenAiStream>(&impl_)) return a->finish(out);
  if (auto* o = std::get_if<OpenAiToAnthropicStream>(&impl_)) o->finish(out);
}

void StreamTranslator::fail(std::string& out, std::string_view message) {
  if (auto* a = std::get_if<AnthropicToOpenAiStream>(&impl_)) return a->fail(out, message);
  if (auto* o = std::get_if<OpenAiToAnthropicStream>(&impl_)) o->fail(out, message);
}

bool StreamTranslator::done() const {
  if (auto* a = std::get_if<AnthropicToOpenAiStream>(&impl_)) return a->done();
  if (auto* o = std::get_if<OpenAiToAnthropicStream>(&impl_)) return o->done();
  return true;
}

const TokenUsage& StreamTranslator::usage() const {
  static const TokenUsage kNone;
  if (auto* a = std::get_if<AnthropicToOpenAiStream>(&impl_)) return a->usage();
  if (auto* o = std::get_if<OpenAiToAnthropicStream>(&impl_)) return o->usage();
  return kNone;
}

}  // namespace ringgate::providers
