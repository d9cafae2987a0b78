#include "tools/cli/tokens_command.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string_view>
#include <vector>

#include "providers/tokenizer/bpe_tokenizer.h"

namespace ringgate::cli {

namespace tok = providers::tokenizer;

int tokens_command(const TokensOptions& o) {
  tok::Encoding enc = tok::Encoding::kO200kBase;
  if (!o.encoding.empty()) {
    std::optional<tok::Encoding> e = tok::parse_encoding(o.encoding);
    if (!e) {
      std::fprintf(stderr, "ringgate tokens: --encoding is o200k_base or cl100k_base\n");
      return 2;
    }
    enc = *e;
  } else if (!o.model.empty()) {
    enc = tok::encoding_for_model(o.model);
  }
  std::string path = o.ranks;
  if (path.empty()) {
    const char* dir = std::getenv("RINGGATE_TOKENIZER_DIR");
    path = std::string(dir && *dir ? dir : "build-data/tokenizer") + "/" +
           tok::BpeTokenizer::rank_file_name(enc);
  }
  std::string error;
  std::unique_ptr<tok::BpeTokenizer> t = tok::BpeTokenizer::load(enc, path, &error);
  if (!t) {
    std::fprintf(stderr, "ringgate tokens: %s (tools/setup.sh writes the rank files)\n",
                 error.c_str());
    return 1;
  }
  std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};

  if (o.repeat > 0) {
    size_t tokens = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (unsigned i = 0; i < o.repeat; ++i) tokens = t->count(input);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double mb = double(input.size()) * o.repeat / 1e6;
    std::printf("%s bytes=%zu tokens=%zu seconds=%.3f MB/s=%.2f\n",
                std::string(tok::encoding_name(enc)).c_str(), input.size(), tokens, s, mb / s);
    return 0;
  }

  std::string out;
  std::vector<uint32_t> ids;
  auto one = [&](std::string_view text) {
    if (o.count) {
      out += std::to_string(t->count(text));
    } else {
      ids.clear();
      t->encode(text, ids);
      for (size_t i = 0; i < ids.size(); ++i) {
        if (i) out += ' ';
        out += std::to_string(ids[i]);
      }
    }
    out += '\n';
  };
  std::string_view rest = input;
  if (o.nul_separated) {
    while (!rest.empty()) {
      size_t z = rest.find('\0');
      one(rest.substr(0, z));
      if (z == std::string_view::npos) break;
      rest.remove_prefix(z + 1);
    }
  } else {
    one(rest);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace ringgate::cli
