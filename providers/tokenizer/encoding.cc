#include "providers/tokenizer/encoding.h"

namespace ringgate::providers::tokenizer {

std::optional<Encoding> parse_encoding(std::string_view name) {
  if (name == "cl100k_base") return Encoding::kCl100kBase;
  if (name == "o200k_base") return Encoding::kO200kBase;
  return std::nullopt;
}

std::string_view encoding_name(Encoding e) {
  return e == Encoding::kCl100kBase ? "cl100k_base" : "o200k_base";
}

Encoding encoding_for_model(std::string_view model) {
  if (size_t slash = model.rfind('/'); slash != std::string_view::npos) {
    model.remove_prefix(slash + 1);
  }
  // Checked before the cl100k prefixes because "gpt-4o" and "gpt-4.1" start with "gpt-4".
  for (std::string_view p :
       {"gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "chatgpt-4o", "gpt-oss", "o1", "o3", "o4"}) {
    if (model.starts_with(p)) return Encoding::kO200kBase;
  }
  for (std::string_view p :
       {"gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002"}) {
    if (model.starts_with(p)) return Encoding::kCl100kBase;
  }
  return Encoding::kO200kBase;
}

}  // namespace ringgate::providers::tokenizer
