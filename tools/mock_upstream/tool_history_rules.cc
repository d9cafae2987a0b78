#include "tools/mock_upstream/tool_history_rules.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <vector>

namespace ringgate::mock_upstream {
namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string_view Str(element e, const char* key) {
  std::string_view s;
  return e[key].get(s) == SUCCESS ? s : std::string_view();
}

bool MatchesAnthropicIdPattern(std::string_view id) {
  if (id.empty()) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string Join(const std::vector<std::string_view>& ids) {
  std::string out;
  for (std::string_view id : ids) {
    if (!out.empty()) out += ", ";
    out += id;
  }
  return out;
}

// One Anthropic turn: consecutive messages of one role, with their content blocks.
struct Block {
  size_t message, index;
  element value;
};
struct Turn {
  std::string_view role;
  size_t first_message;
  std::vector<Block> blocks;
};

std::string At(size_t message, size_t block) {
  return "messages." + std::to_string(message) + ".content." + std::to_string(block);
}

}  // namespace

std::optional<std::string> AnthropicHistoryProblem(array messages) {
  std::vector<Turn> turns;
  size_t i = 0;
  for (element m : messages) {
    const std::string_view role = Str(m, "role");
    if (turns.empty() || turns.back().role != role) turns.push_back({role, i, {}});
    array content;
    if (m["content"].get(content) == SUCCESS) {
      size_t j = 0;
      for (element b : content) turns.back().blocks.push_back({i, j++, b});
    }
    ++i;
  }
  std::set<std::string_view> seen_uses;
  for (size_t t = 0; t < turns.size(); ++t) {
    const Turn& turn = turns[t];
    if (turn.role == "assistant") {
      std::vector<std::string_view> ids;
      for (const Block& b : turn.blocks) {
        if (Str(b.value, "type") != "tool_use") continue;
        const std::string_view id = Str(b.value, "id");
        if (!MatchesAnthropicIdPattern(id)) {
          return At(b.message, b.index) +
                 ".tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'";
        }
        if (!seen_uses.insert(id).second) {
          return At(b.message, b.index) + ": `tool_use` ids must be unique";
        }
        ids.push_back(id);
      }
      if (ids.empty()) continue;
      std::set<std::string_view> answered;
      if (t + 1 < turns.size() && turns[t + 1].role == "user") {
        for (const Block& b : turns[t + 1].blocks) {
          if (Str(b.value, "type") == "tool_result") answered.insert(Str(b.value, "tool_use_id"));
        }
      }
      std::vector<std::string_view> missing;
      for (std::string_view id : ids) {
        if (!answered.count(id)) missing.push_back(id);
      }
      if (!missing.empty()) {
        const size_t at = t + 1 < turns.size() ? turns[t + 1].first_message : turn.first_message;
        return "messages." + std::to_string(at) +
               ": `tool_use` ids were found without `tool_result` blocks immediately after: " +
               Join(missing) +
               ". Each `tool_use` block must have a corresponding `tool_result` block in the "
               "next message.";
      }
    } else {
      std::set<std::string_view> uses;  // of the turn before, when it was the assistant's
      if (t > 0 && turns[t - 1].role == "assistant") {
        for (const Block& b : turns[t - 1].blocks) {
          if (Str(b.value, "type") == "tool_use") uses.insert(Str(b.value, "id"));
        }
      }
      std::set<std::string_view> results;
      bool other_before = false;
      for (const Block& b : turn.blocks) {
        if (Str(b.value, "type") != "tool_result") {
          other_before = true;
          continue;
        }
        const std::string_view id = Str(b.value, "tool_use_id");
        if (!MatchesAnthropicIdPattern(id)) {
          return At(b.message, b.index) +
                 ".tool_result.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'";
        }
        if (!uses.count(id)) {
          return At(b.message, b.index) + ": unexpected `tool_use_id` found in `tool_result` " +
                 "blocks: " + std::string(id) +
                 ". Each `tool_result` block must have a corresponding `tool_use` block in the "
                 "previous message.";
        }
        if (!results.insert(id).second) {
          return At(b.message, b.index) +
                 ": each tool_use must have a single result. Found multiple `tool_result` blocks "
                 "with id: " +
                 std::string(id);
        }
        if (other_before) {
          return At(b.message, b.index) +
                 ": `tool_result` blocks must come before any other content in the message";
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> OpenAiHistoryProblem(array messages) {
  std::vector<element> all;
  for (element m : messages) all.push_back(m);
  for (size_t i = 0; i < all.size(); ++i) {
    const std::string_view role = Str(all[i], "role");
    if (role == "tool") {
      // Reached only when no assistant message's run of tool messages covered it.
      return "Invalid parameter: messages with role 'tool' must be a response to a preceeding "
             "message with 'tool_calls'.";
    }
    array calls;
    if (role != "assistant" || all[i]["tool_calls"].get(calls) != SUCCESS) continue;
    std::vector<std::string_view> ids;
    size_t j = 0;
    for (element c : calls) {
      const std::string_view id = Str(c, "id");
      if (id.size() > 40) {
        return "Invalid 'messages[" + std::to_string(i) + "].tool_calls[" + std::to_string(j) +
               "].id': string too long. Expected a string with maximum length 40, but got a "
               "string with length " +
               std::to_string(id.size()) + " instead.";
      }
      ids.push_back(id);
      ++j;
    }
    std::set<std::string_view> answered;
    size_t k = i + 1;
    for (; k < all.size() && Str(all[k], "role") == "tool"; ++k) {
      const std::string_view id = Str(all[k], "tool_call_id");
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
        return "Invalid parameter: messages with role 'tool' must be a response to a preceeding "
               "message with 'tool_calls'.";
      }
      answered.insert(id);
    }
    std::vector<std::string_view> missing;
    for (std::string_view id : ids) {
      if (!answered.count(id)) missing.push_back(id);
    }
    if (!missing.empty()) {
      return "An assistant message with 'tool_calls' must be followed by tool messages "
             "responding to each 'tool_call_id'. The following tool_call_ids did not have "
             "response messages: " +
             Join(missing);
    }
    i = k - 1;  // the run of tool messages is accounted for
  }
  return std::nullopt;
}

}  // namespace ringgate::mock_upstream
