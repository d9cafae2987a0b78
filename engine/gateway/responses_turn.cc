// previous_response_id for translated Responses requests: the conversation so far comes from the
// node's ResponseStore (cache/response_store.h) before translation, and the finished turn (input
// and output items) goes back into it after the answer, per tenant (the caller's key).
#include "engine/gateway/responses_turn.h"

#include <openssl/rand.h>

#include <map>

#include "cache/response_store.h"
#include "engine/gateway/client_session.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/shard.h"
#include "protocol/error_body.h"

namespace ringgate::gateway {

std::string new_response_id() {
  unsigned char random[16];
  if (RAND_bytes(random, sizeof random) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "resp_";
  for (unsigned char b : random) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 15]);
  }
  return id;
}

std::string_view previous_response_id(simdjson::dom::element root, bool& malformed) {
  malformed = false;
  simdjson::dom::element v;
  if (root.at_key("previous_response_id").get(v) != simdjson::SUCCESS || v.is_null()) return {};
  std::string_view id;
  if (v.get(id) != simdjson::SUCCESS || id.empty()) malformed = true;
  return id;
}

namespace {
// "resp_<suffix>" for an output item id "<kind>_<suffix>_<index>"; "" for any other id.
std::string response_of_item(std::string_view item_id) {
  const size_t first = item_id.find('_');
  const size_t last = item_id.rfind('_');
  if (first == std::string_view::npos || last <= first + 1) return {};
  return "resp_" + std::string(item_id.substr(first + 1, last - first - 1));
}

// The item with id `id` in a stored conversation (a JSON array), minified; "" when absent.
std::string find_item(simdjson::dom::element conversation, std::string_view id) {
  simdjson::dom::array items;
  if (conversation.get_array().get(items) != simdjson::SUCCESS) return {};
  for (simdjson::dom::element item : items) {
    std::string_view item_id;
    if (item["id"].get(item_id) == simdjson::SUCCESS && item_id == id) {
      return simdjson::minify(item);
    }
  }
  return {};
}
}  // namespace

std::string referenced_items(simdjson::dom::element root, cache::ResponseStore& store,
                             std::string_view tenant, int64_t now_ms) {
  simdjson::dom::array input;
  if (root["input"].get_array().get(input) != simdjson::SUCCESS) return {};
  std::map<std::string, std::string> conversations;  // response id -> its stored items
  simdjson::dom::parser parser;
  std::string out;
  for (simdjson::dom::element item : input) {
    std::string_view type, id;
    if (item["type"].get(type) != simdjson::SUCCESS || type != "item_reference" ||
        item["id"].get(id) != simdjson::SUCCESS) {
      continue;
    }
    const std::string response = response_of_item(id);
    if (response.empty()) continue;
    auto [it, fresh] = conversations.try_emplace(response);
    if (fresh) it->second = store.get(tenant, response, now_ms).value_or(std::string());
    simdjson::dom::element conversation;
    if (it->second.empty() || parser.parse(it->second).get(conversation) != simdjson::SUCCESS) {
      continue;
    }
    const std::string found = find_item(conversation, id);
    if (found.empty()) continue;
    out += out.empty() ? "{\"" : ",\"";
    protocol::append_json_escaped(out, id);  // a stored input item may carry a client's id
    out += "\":";
    out += found;
  }
  if (!out.empty()) out += '}';
  return out;
}

namespace {
// The text between an array's brackets, trimmed; "" for an empty array or no text.
std::string_view array_members(std::string_view array) {
  const size_t open = array.find('[');
  const size_t close = array.rfind(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close <= open) return {};
  std::string_view inner = array.substr(open + 1, close - open - 1);
  while (!inner.empty() && (inner.front() == ' ' || inner.front() == '\n')) inner.remove_prefix(1);
  while (!inner.empty() && (inner.back() == ' ' || inner.back() == '\n')) inner.remove_suffix(1);
  return inner;
}
}  // namespace

std::string join_item_arrays(std::string_view first, std::string_view second) {
  const std::string_view a = array_members(first);
  const std::string_view b = array_members(second);
  std::string out;
  out.reserve(a.size() + b.size() + 3);
  out.push_back('[');
  out.append(a);
  if (!a.empty() && !b.empty()) out.push_back(',');
  out.append(b);
  out.push_back(']');
  return out;
}

io::Task<bool> ClientSession::recall_conversation(const Route& route, std::string& prior) {
  responses_turn_.id = new_response_id();
  if (responses_turn_.id.empty()) {
    co_await out_.respond_error({500, "the gateway could not draw a response id",
                                 protocol::ErrorCode::kConfigurationError});
    co_return false;
  }
  bool malformed = false;
  const std::string_view previous = previous_response_id(route.document, malformed);
  if (malformed) {
    co_await out_.respond_error({400, "previous_response_id must be a non-empty string",
                                 protocol::ErrorCode::kInvalidRequestBody, "previous_response_id"});
    co_return false;
  }
  cache::ResponseStore* store = shard_.state().responses;
  if (store) {
    responses_turn_.referenced_items =
        referenced_items(route.document, *store, rq_.key_id, int64_t(now_ms()));
  }
  if (previous.empty()) co_return true;
  std::optional<std::string> items;
  if (store) items = store->get(rq_.key_id, previous, int64_t(now_ms()));
  if (!items) {
    // Never silently ignored: answering without the history would answer a different question.
    co_await out_.respond_error(
        {400,
         "previous_response_id names no conversation this gateway node keeps for your key: it "
         "expired, was evicted, was stored with store: false, or another node served it; send "
         "the whole conversation in `input` instead",
         protocol::ErrorCode::kInvalidRequestBody, "previous_response_id"});
    co_return false;
  }
  prior = std::move(*items);
  co_return true;
}

void ClientSession::keep_responses_turn(providers::TranslateResult& tr) {
  responses_turn_.custom_tools = std::move(tr.custom_tools);
  responses_turn_.namespaced_tools = std::move(tr.namespaced_tools);
  responses_turn_.echo = std::move(tr.responses_echo);
  responses_turn_.store = tr.store;
  if (tr.store) responses_turn_.conversation_items = std::move(tr.conversation_items);
}

void ClientSession::store_conversation(std::string_view output_items) {
  cache::ResponseStore* store = shard_.state().responses;
  if (!store || !responses_turn_.store || output_items.empty()) return;
  store->put(rq_.key_id, responses_turn_.id,
             join_item_arrays(responses_turn_.conversation_items, output_items), int64_t(now_ms()));
}

}  // namespace ringgate::gateway
