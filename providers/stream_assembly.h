// Turns a complete SSE answer back into the whole JSON answer of the same API, so the exact
// cache keeps one stored form whatever mode filled it (cache/exact_cache.h): OpenAI
// chat.completion.chunk frames into a chat.completion (content, reasoning_content, refusal and
// tool_calls concatenated per choice; usage from the usage chunk), Anthropic message events into
// a message (text, thinking with its signature, tool_use with its input parsed from the
// input_json_delta pieces; other blocks as they were started; stop_reason and usage from
// message_delta). Only a finished stream assembles: every OpenAI choice has its finish_reason,
// an Anthropic stream reached message_stop with a stop_reason, and neither carried an error
// event. Pure, no I/O; the input is upstream bytes and is untrusted.
#pragma once

#include <string>
#include <string_view>

namespace ringgate::providers {

struct AssembledAnswer {
  bool ok = false;
  std::string body;   // the whole JSON answer, when ok
  std::string error;  // why not, when !ok
};

AssembledAnswer assemble_openai_chat_stream(std::string_view sse);
AssembledAnswer assemble_anthropic_message_stream(std::string_view sse);

}  // namespace ringgate::providers
