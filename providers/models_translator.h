// GET /v1/models and /v1/models/{id} in the client's shape, whoever answers: the gateway itself
// (config mode, the configured models) or an upstream of the other API (quick mode, translated).
//
//   OpenAI     {"object":"list","data":[{"id","object":"model","created","owned_by"}]}
//   Anthropic  {"data":[{"type":"model","id","display_name","created_at"}],
//               "has_more","first_id","last_id"}
//
// Anthropic lists are paged (`limit`, `after_id`, `before_id` in the query); OpenAI's are not.
// Pure: bytes and values in, JSON out.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "protocol/api_error.h"
#include "providers/translation_types.h"

namespace ringgate::providers {

struct ModelEntry {
  std::string_view id;
  int64_t created_unix_s = 0;     // OpenAI's `created`; Anthropic's `created_at` as RFC 3339
  std::string_view display_name;  // Anthropic's; "" = the id
  std::string_view owned_by;      // OpenAI's; "" = "system"
};

// An Anthropic page request. limit 0: every model (what a client that sends no limit gets, so
// one page holds the list); otherwise 1..1000.
struct ModelPage {
  size_t limit = 0;
  std::string_view after_id, before_id;
  bool ok = true;  // false: a parameter was malformed (the message says which)
  std::string_view error;
};

// Reads limit, after_id and before_id from a query string (no '?'); other parameters are ignored.
// The ids are views into `query`, percent-decoding is not needed for model ids.
ModelPage parse_model_page(std::string_view query);

// The whole list (OpenAI) or the requested page of it (Anthropic: `page` applies), in order.
void render_model_list(protocol::ApiFront to, std::span<const ModelEntry> models,
                       const ModelPage& page, std::string& out);
void render_model(protocol::ApiFront to, const ModelEntry& model, std::string& out);

// An upstream's 2xx answer to GET /models (`single` false) or /models/{id} (`single` true) in
// `from`'s shape, rewritten in `to`'s; Anthropic clients get `page` applied to a translated list.
// Fails (502 for the caller) when the body is not such an answer.
TranslateResult translate_models_response(protocol::ApiFront from, protocol::ApiFront to,
                                          std::string_view body, bool single,
                                          const ModelPage& page);

}  // namespace ringgate::providers
