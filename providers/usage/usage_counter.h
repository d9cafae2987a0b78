// The gateway's own token count of a request and its answer, for upstreams that report no usage
// (the record then says usage "counted"), for /v1/messages/count_tokens toward OpenAI-format
// upstreams, and for message_start's input_tokens on translated streams.
//
// Prompt tokens, by the request's shape (the upstream's API: what it was sent):
// - OpenAI chat: OpenAI's documented framing, as tiktoken's cookbook num_tokens_from_messages
//   counts it for every current model: 3 tokens per message, the tokens of each message's role,
//   content (a string, or the text of its text parts), name (+1 per name), tool call function
//   names and arguments (and the legacy function_call's), then 3 tokens priming the reply. Tool
//   call ids, images, audio and the `tools` definitions are not counted.
// - Anthropic messages: the same framing (Anthropic publishes none, and translated requests then
//   count alike): `system` is one message with role "system"; each message counts its role, its
//   text blocks, tool_use names and inputs (as minified JSON), tool_result contents (a string or
//   text blocks); +3 reply priming. Images and thinking blocks are not counted.
// - Responses: `instructions` as a system message, `input` as one user message when it is a
//   string, else each item: message (role + string content or text parts), function_call (name +
//   arguments), function_call_output (output); same framing.
// - Completions: the prompt string(s); a prompt of token ids counts its ids. No framing.
// - Embeddings: the input string(s) or token-id arrays. No framing.
// The encoding is the model's (tokenizer::encoding_for_model): the model named by the caller, else
// the body's "model".
//
// Not thread-safe (one parser); each counting thread holds its own. The tokenizers are shared.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "providers/tokenizer/tokenizer_set.h"
#include "providers/usage/usage_extractor.h"

namespace ringgate::providers {

class UsageCounter {
 public:
  static constexpr int64_t kTokensPerMessage = 3;
  static constexpr int64_t kTokensPerName = 1;
  static constexpr int64_t kReplyPriming = 3;

  explicit UsageCounter(std::shared_ptr<const tokenizer::TokenizerSet> tokenizers)
      : tokenizers_(std::move(tokenizers)) {}

  // The prompt tokens of `body`; nullopt when the body is not a JSON object or the model's
  // encoding is not loaded.
  std::optional<int64_t> count_prompt(UsageShape shape, std::string_view body,
                                      std::string_view model = {});
  // The tokens of generated text in the model's encoding; nullopt without its tokenizer.
  std::optional<int64_t> count_text(std::string_view model, std::string_view text) const;

  bool enabled() const { return tokenizers_ && !tokenizers_->empty(); }

 private:
  std::shared_ptr<const tokenizer::TokenizerSet> tokenizers_;
  simdjson::dom::parser parser_;
  std::string scratch_;
};

}  // namespace ringgate::providers
