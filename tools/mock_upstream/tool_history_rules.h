#pragma once

#include <simdjson.h>

#include <optional>
#include <string>

namespace ringgate::mock_upstream {

// The tool-call history rules the real APIs enforce, with their own error messages, so a test
// sees the 400 an upstream would answer to a history the gateway failed to repair.

// Anthropic Messages: tool_use ids match ^[a-zA-Z0-9_-]+$ and are unique; every tool_use is
// answered by a tool_result in the next turn (consecutive messages of one role are one turn),
// once; every tool_result answers a tool_use of the turn before; results come before other
// content. nullopt: the history is valid.
std::optional<std::string> AnthropicHistoryProblem(simdjson::dom::array messages);

// OpenAI chat: tool_calls ids are at most 40 characters; an assistant message with tool_calls is
// followed by tool messages answering each id; a tool message answers a call of the assistant
// message before its run of tool messages.
std::optional<std::string> OpenAiHistoryProblem(simdjson::dom::array messages);

}  // namespace ringgate::mock_upstream
