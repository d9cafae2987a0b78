#include "providers/tokenizer/tokenizer_set.h"

#include <cstdlib>

namespace ringgate::providers::tokenizer {

std::string TokenizerSet::default_dir() {
  const char* dir = std::getenv("RINGGATE_TOKENIZER_DIR");
  return dir && *dir ? std::string(dir) : std::string("build-data/tokenizer");
}

std::shared_ptr<const TokenizerSet> TokenizerSet::load(std::string_view dir,
                                                       std::vector<std::string>* warnings) {
  auto set = std::make_shared<TokenizerSet>();
  for (Encoding e : {Encoding::kCl100kBase, Encoding::kO200kBase}) {
    const std::string path = std::string(dir) + "/" + BpeTokenizer::rank_file_name(e);
    std::string error;
    std::unique_ptr<BpeTokenizer> t = BpeTokenizer::load(e, path, &error);
    if (!t && warnings) warnings->push_back(error);
    (e == Encoding::kCl100kBase ? set->cl100k_ : set->o200k_) = std::move(t);
  }
  return set;
}

const BpeTokenizer* TokenizerSet::get(Encoding e) const {
  return e == Encoding::kCl100kBase ? cl100k_.get() : o200k_.get();
}

const BpeTokenizer* TokenizerSet::for_model(std::string_view model) const {
  return get(encoding_for_model(model));
}

}  // namespace ringgate::providers::tokenizer
