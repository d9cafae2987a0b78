// The tokenizers a process counts with, loaded once at start and shared read-only by every
// thread that counts (the accounting thread, the count worker). Each encoding is loaded when its
// rank file is there; a missing one leaves that encoding off, and a model counted in it gets no
// count (never a guess in the other encoding).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "providers/tokenizer/bpe_tokenizer.h"

namespace ringgate::providers::tokenizer {

class TokenizerSet {
 public:
  // Loads cl100k_base and o200k_base from `dir`. Each file that fails adds one line to *warnings.
  static std::shared_ptr<const TokenizerSet> load(std::string_view dir,
                                                  std::vector<std::string>* warnings);
  // $RINGGATE_TOKENIZER_DIR, else "build-data/tokenizer" (where tools/tokenizer_ranks.sh writes).
  static std::string default_dir();

  // The tokenizer of the model's encoding (encoding_for_model), or null when its file was missing.
  const BpeTokenizer* for_model(std::string_view model) const;
  const BpeTokenizer* get(Encoding e) const;
  bool empty() const { return !cl100k_ && !o200k_; }

 private:
  std::unique_ptr<BpeTokenizer> cl100k_, o200k_;
};

}  // namespace ringgate::providers::tokenizer
