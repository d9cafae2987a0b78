// Tool-call history repair: agents send histories one API accepts and the other refuses (a
// tool result whose call is missing or was answered already, a call with no result before the
// next turn, ids with characters or lengths the other side rejects, empty arguments). Before a
// request is translated, its history is brought to the shape both APIs accept, by one policy:
//
// - A tool-call id is portable when it matches ^[A-Za-z0-9_-]{1,40}$: Anthropic's pattern and
//   OpenAI's length limit. A portable id is never changed. Any other id becomes
//   map_tool_id(id) = "rg_" + 32 hex digits of FNV-1a-128(id) (each half then mixed with
//   splitmix64's finalizer, so similar ids get unrelated names), a pure function of the id, so
//   every request of a conversation maps it the same way, on every node and after a restart. A
//   second call with the id of an earlier one (Anthropic wants ids unique) is renamed from its id
//   and its occurrence number (map_tool_id(id, 1), ...), which an append-only history keeps
//   stable.
// - Calls and results pair by turn: the results answering an assistant turn (its consecutive
//   assistant messages) are the tool results of the messages that follow it, up to the next
//   assistant message. A result whose id no call of that turn has is an orphan and is dropped; a
//   second result for one call is dropped (the first stays); a call with no result gets one,
//   flagged as an error, saying none was provided; the results move ahead of the turn's other
//   content (both APIs want them first).
// - OpenAI arguments that are empty ("" or whitespace, or missing) become "{}".
// - Everything else stays as it is, byte for byte where it is re-serialized (simdjson's minified
//   form). A history that is malformed (a call or result with no id, a message that is not an
//   object) is not repaired: the translator refuses it with a 400 naming the field.
//
// What was changed is reported for the x-ringgate-repaired response header as
// `kind=item,item; kind=item`, kinds in a fixed order (mapped_id, dropped_orphan_result,
// dropped_duplicate_result, moved_result, added_missing_result, empty_arguments), each item a
// client id (mapped_id: `old>new`), percent-encoded outside A-Z a-z 0-9 - _ . ~ so the separators
// never occur inside an item; items past kMaxHeaderBytes are counted in a final `more=N`.
//
// Pure functions: bytes in, bytes out, no state between requests.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::providers {

inline constexpr size_t kMaxPortableToolIdBytes = 40;

// ^[A-Za-z0-9_-]{1,40}$
bool is_portable_tool_id(std::string_view id);

// "rg_" + 32 lower-case hex digits; portable.
class MappedToolId {
 public:
  static constexpr size_t kSize = 35;
  std::string_view view() const { return {text_, kSize}; }

 private:
  friend MappedToolId map_tool_id(std::string_view id, uint32_t occurrence);
  char text_[kSize];
};

// The id sent instead of `id`: the mixed FNV-1a-128 of the id (and, from 1, of "#" and the
// occurrence).
MappedToolId map_tool_id(std::string_view id, uint32_t occurrence = 0);

// `id` itself when it is portable, else map_tool_id(id) held in `storage`: for ids an upstream
// mints (the response direction), so a client's later history is portable too.
std::string_view portable_tool_id(std::string_view id, MappedToolId& storage);

struct ToolHistoryRepair {
  bool repaired = false;  // `body` holds the repaired request; else the request needs none
  std::string body;
  std::string header;  // the x-ringgate-repaired value; "" when nothing was repaired
};

// The header value's budget; items beyond it are counted in `more=N`.
inline constexpr size_t kMaxHeaderBytes = 1024;

// An OpenAI chat completions request (on its way to an Anthropic upstream).
ToolHistoryRepair repair_chat_tool_history(simdjson::dom::element request);
// An Anthropic Messages request (on its way to an OpenAI-format upstream).
ToolHistoryRepair repair_messages_tool_history(simdjson::dom::element request);

}  // namespace ringgate::providers
