// The text the semantic cache embeds for a chat request (OpenAI chat completions or Anthropic
// messages body). Pure function over the client's untrusted JSON.
//
// Which text: the whole prompt, every turn tagged with its role ("system: ...\nuser: ...\n"),
// not only the last user message: two conversations ending in the same question must not share
// an answer. Requests the cache must not answer by similarity give nullopt (skip semantic):
// tools or functions offered, a tool or function turn, an assistant turn with tool calls, any
// content part that is not text (images, documents, tool blocks), no user turn, text over
// max_bytes, or a body that is not a JSON object with a messages array.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ringgate::cache {

std::optional<std::string> semantic_prompt_text(std::string_view body, size_t max_bytes);

}  // namespace ringgate::cache
