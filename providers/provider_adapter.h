// What differs per provider family (OpenAI and OpenAI-compatible servers, Azure OpenAI,
// Anthropic), so the engine never names a provider: the upstream path for a client endpoint, the
// credential and default headers, which translation applies, and one entry point per transform.
//
// Free functions over plain values, switching on the format: a handful of calls per request and
// one switch per stream event, no virtual call and no allocation besides the transforms' output.
// openai_adapter.cc and anthropic_adapter.cc hold each family's answers; this file's .cc files
// only dispatch.
#pragma once

#include <simdjson.h>

#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/api_error.h"
#include "providers/anthropic_to_openai_stream.h"
#include "providers/anthropic_to_responses_stream.h"
#include "providers/api_format.h"
#include "providers/chat_to_responses_stream.h"
#include "providers/openai_to_anthropic_stream.h"
#include "providers/translation_types.h"

namespace ringgate::providers {

// Client API -> upstream API, when they differ. The Responses API (POST /v1/responses) goes to
// Anthropic Messages, or to chat completions on an OpenAI-compatible server without it.
enum class Translation : uint8_t {
  kNone,
  kOpenAiClientToAnthropic,
  kAnthropicClientToOpenAi,
  kResponsesClientToAnthropic,
  kResponsesClientToChat,
};

// The translations whose client speaks the Responses API.
constexpr bool responses_client(Translation t) {
  return t == Translation::kResponsesClientToAnthropic || t == Translation::kResponsesClientToChat;
}

// An answer for the client instead of an upstream request. Views of static strings.
struct AdapterError {
  int status = 0;  // 0: no error
  std::string_view message;
  protocol::ErrorCode code = protocol::ErrorCode::kUnsupportedEndpoint;
};

// How one request goes to one upstream.
struct EndpointPlan {
  Translation translation = Translation::kNone;
  // The translated bodies are a model list (/models) or one model (/models/{id}), not a chat.
  enum class Models : uint8_t { kNo, kList, kOne };
  Models models = Models::kNo;
  std::string_view upstream_endpoint;  // e.g. "/messages"; a view of the client's or a literal
  AdapterError error;                  // when set, answer the client with it and send nothing
  bool ok() const { return error.status == 0; }
};

// /models or /models/{id}: a path both APIs serve, in each one's own shape.
EndpointPlan::Models models_endpoint(std::string_view client_endpoint);

// `client_endpoint` is the client's path after /v1 ("/chat/completions"); `model` is the model
// name the upstream gets (for Azure, the deployment), empty when the request names none.
// `client` is the client's API where the path does not say it (the model list): an Anthropic
// client listing an OpenAI-format upstream's models is translated, and the other way round.
EndpointPlan plan_endpoint(const UpstreamTarget& target, std::string_view client_endpoint,
                           std::string_view model,
                           protocol::ApiFront client = protocol::ApiFront::kOpenAi);

// Appends the upstream request-target (path and query) for a planned endpoint. `client_query` is
// the client's query string without '?', forwarded unless the format reserves a parameter.
void append_request_target(const UpstreamTarget& target, std::string_view upstream_endpoint,
                           std::string_view model, std::string_view client_query, std::string& out);

// The client's query string as the upstream gets it (the `client_query` above): a translated
// request's query belongs to the client's API (Claude Code's `?beta=true` on /v1/messages) and
// none of it means anything to the other API, so none of it goes there.
std::string_view forwarded_query(Translation t, std::string_view client_query);

struct HeaderField {
  std::string_view name;
  std::string_view value;
};

// The credential header: its name and the text written before the key ("Bearer ").
HeaderField auth_header(ApiFormat format);

// Headers the upstream needs that a client may also send: each is added only when the client
// sent none of that name, and a client's own is forwarded as is (anthropic-beta and a client's
// anthropic-version reach Anthropic untouched).
std::span<const HeaderField> default_headers(ApiFormat format);

// Writes the credential (when there is a key) and the missing default headers as header lines.
// `client_has` answers "did the client send a header of this name".
template <typename ClientHas>
void append_provider_headers(ApiFormat format, std::string_view key, ClientHas&& client_has,
                             std::string& head) {
  auto line = [&head](std::string_view name, std::string_view prefix, std::string_view value) {
    head.append(name);
    head.append(": ");
    head.append(prefix);
    head.append(value);
    head.append("\r\n");
  };
  if (!key.empty()) {
    const HeaderField auth = auth_header(format);
    line(auth.name, auth.value, key);
  }
  for (const HeaderField& h : default_headers(format)) {
    if (!client_has(h.name)) line(h.name, {}, h.value);
  }
}

// The transforms, one entry point each whatever the direction. With Translation::kNone they
// fail (status 500): untranslated bodies are the engine's to relay.
TranslateResult translate_request(Translation t, simdjson::dom::element root, size_t size_hint,
                                  const TranslateOptions& options);
TranslateResult translate_request(Translation t, std::string_view body,
                                  const TranslateOptions& options);
// A 2xx non-streaming response body.
TranslateResult translate_response(Translation t, std::string_view body,
                                   const ResponseOptions& options);
// A non-2xx response body; `status` of the result is what the client gets.
TranslateResult translate_error(Translation t, int status, std::string_view body);

// One translated stream: upstream SSE events in, the client's SSE frames out. A variant, so each
// event costs one switch; built once per stream.
class StreamTranslator {
 public:
  // kNone translates nothing: on_event emits nothing and done() is true from the start.
  StreamTranslator(Translation t, StreamOptions options);

  void on_event(std::string_view event, std::string_view data, std::string& out);
  void finish(std::string& out);
  void fail(std::string& out, std::string_view message);
  bool done() const;
  const TokenUsage& usage() const;
  // A Responses stream's output items once it completed (for previous_response_id); "" else.
  const std::string& output_items() const;

 private:
  std::variant<std::monostate, AnthropicToOpenAiStream, OpenAiToAnthropicStream,
               AnthropicToResponsesStream, ChatToResponsesStream>
      impl_;
};

}  // namespace ringgate::providers
