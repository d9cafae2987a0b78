#pragma once

#include <optional>
#include <string_view>

namespace ringgate::providers::tokenizer {

// The two OpenAI BPE encodings the gateway counts with. Each has its own rank file and its own
// pre-tokenization rule (tiktoken's pat_str), both reproduced exactly.
enum class Encoding { kCl100kBase, kO200kBase };

// "cl100k_base" / "o200k_base" (as tiktoken names them), nothing else.
std::optional<Encoding> parse_encoding(std::string_view name);
std::string_view encoding_name(Encoding e);

// The encoding a model's tokens are counted in. gpt-4o*, o1*, o3*, o4*, gpt-4.1*, gpt-4.5*,
// gpt-5*, chatgpt-4o*, gpt-oss* -> o200k_base; gpt-4*, gpt-3.5* (and Azure's gpt-35*),
// text-embedding-3*, text-embedding-ada-002 -> cl100k_base. A provider prefix ("openai/gpt-4o")
// is ignored. Anything else (other vendors' models) gets o200k_base as an estimate: it is the
// newest encoding and closest to current tokenizers on mixed text.
Encoding encoding_for_model(std::string_view model);

}  // namespace ringgate::providers::tokenizer
