// One translated Responses API request (POST /v1/responses toward an Anthropic-format or a
// chat-only upstream): its response id, what the response leg needs from the request's
// translation, and the conversation this node keeps so a later previous_response_id finds it.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace ringgate::cache {
class ResponseStore;
}

namespace ringgate::gateway {

struct ResponsesTurn {
  // "resp_" and 32 random hex digits. Unguessable on purpose: callers without a key share the
  // store's anonymous tenant, so the id is all that keeps one's conversation from another.
  std::string id;
  std::string custom_tools;        // see providers::TranslateResult
  std::string namespaced_tools;    // see providers::TranslateResult
  std::string echo;                // see providers::TranslateResult::responses_echo
  std::string conversation_items;  // what came before the answer, kept with it when `store`
  std::string referenced_items;    // what its item_reference entries name (see below)
  bool store = false;

  void clear() {
    id.clear();
    custom_tools.clear();
    namespaced_tools.clear();
    echo.clear();
    conversation_items.clear();
    referenced_items.clear();
    store = false;
  }
};

// A fresh response id (see ResponsesTurn::id); "" only when the system has no randomness.
std::string new_response_id();

// The request's previous_response_id: "" when absent or null; nullopt-like "\0" never happens:
// a non-string value is reported through `malformed`.
std::string_view previous_response_id(simdjson::dom::element root, bool& malformed);

// The items the request's `input` names by item_reference (the Vercel AI SDK names earlier
// answers' items so), looked up in the conversations `tenant` has in `store`: an item id
// "<kind>_<suffix>_<index>" belongs to response "resp_<suffix>". A JSON object, item id -> item;
// "" when nothing was found (the translator refuses a reference it cannot resolve).
std::string referenced_items(simdjson::dom::element root, cache::ResponseStore& store,
                             std::string_view tenant, int64_t now_ms);

// Two JSON arrays' texts ("[a,b]", "[c]") as one ("[a,b,c]"); either may be empty ("" or "[]").
std::string join_item_arrays(std::string_view first, std::string_view second);

}  // namespace ringgate::gateway
