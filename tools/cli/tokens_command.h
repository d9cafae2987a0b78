#pragma once

#include <string>

namespace ringgate::cli {

struct TokensOptions {
  std::string encoding;        // "o200k_base" / "cl100k_base"; empty: from model, else o200k_base
  std::string model;           // pick the encoding as the gateway would for this model
  std::string ranks;           // rank file; default $RINGGATE_TOKENIZER_DIR or build-data/tokenizer
  bool count = false;          // print the count instead of the ids
  bool nul_separated = false;  // stdin holds NUL-separated texts; one output line each
  unsigned repeat = 0;         // > 0: tokenize stdin this many times and report MB/s on stderr
};

// `ringgate tokens`: reads stdin, prints token ids (space-separated, one line per text).
int tokens_command(const TokensOptions& options);

}  // namespace ringgate::cli
