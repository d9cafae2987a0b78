// Tokenizer invariants on arbitrary bytes, in both encodings: the pieces cover the input with no
// empty piece, encode decodes back to the input byte for byte (invalid UTF-8 included), and count
// equals the number of ids. Needs the rank files (tools/setup.sh); RINGGATE_TOKENIZER_DIR
// overrides where they are looked for.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "providers/tokenizer/bpe_tokenizer.h"
#include "providers/tokenizer/pretokenizer.h"

namespace tok = ringgate::providers::tokenizer;

namespace {

std::unique_ptr<tok::BpeTokenizer> load(tok::Encoding e) {
  const char* dir = std::getenv("RINGGATE_TOKENIZER_DIR");
  std::string path = std::string(dir && *dir ? dir : RINGGATE_TOKENIZER_DATA_DIR) + "/" +
                     tok::BpeTokenizer::rank_file_name(e);
  std::string err;
  std::unique_ptr<tok::BpeTokenizer> t = tok::BpeTokenizer::load(e, path, &err);
  if (!t) {
    std::fprintf(stderr, "fuzz_tokenizer: %s (run tools/setup.sh)\n", err.c_str());
    std::abort();
  }
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<tok::BpeTokenizer> kTokenizers[2] = {
      load(tok::Encoding::kCl100kBase), load(tok::Encoding::kO200kBase)};
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& t : kTokenizers) {
    std::vector<std::string_view> pieces;
    tok::split_pieces(t->encoding(), text, pieces);
    size_t covered = 0;
    for (std::string_view p : pieces) {
      if (p.empty() || p.data() != text.data() + covered) std::abort();
      covered += p.size();
    }
    if (covered != size) std::abort();

    std::vector<uint32_t> ids;
    t->encode(text, ids);
    if (t->count(text) != ids.size()) std::abort();
    if (ids.size() > size) std::abort();  // a token is at least one byte
    std::string back;
    if (!t->decode(ids, back) || back != text) std::abort();
  }
  return 0;
}
