#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "providers/tokenizer/bpe_ranks.h"
#include "providers/tokenizer/encoding.h"

namespace ringgate::providers::tokenizer {

// A tiktoken-exact BPE tokenizer for cl100k_base and o200k_base: the same token ids as
// tiktoken's encode_ordinary. Special tokens are not recognized: "<|endoftext|>" is ordinary text
// and encodes to the tokens of its characters, which is what counting a user's prompt wants.
//
// Immutable after load; count and encode may run concurrently on any number of threads. They
// allocate nothing except the output vector's growth and, for a piece longer than 128 bytes (a
// 1 MB run of one letter is one piece), its O(n) merge state; such pieces merge with a heap in
// O(n log n), shorter ones with tiktoken's own quadratic scan, which is faster at that size.
class BpeTokenizer {
 public:
  // Loads a `.tiktoken` rank file (tools/tokenizer_ranks.sh writes both to build-data/tokenizer/).
  // Returns null and says why in *error if the file is missing or malformed.
  static std::unique_ptr<BpeTokenizer> load(Encoding encoding, std::string_view rank_file_path,
                                            std::string* error);
  // The file name tools/tokenizer_ranks.sh gives the encoding's ranks: "o200k_base.tiktoken".
  static std::string rank_file_name(Encoding encoding);

  Encoding encoding() const { return encoding_; }
  const BpeRanks& ranks() const { return ranks_; }

  // The number of tokens of text (== encode's size, without building the vector).
  size_t count(std::string_view text) const;
  // Appends the token ids of text to out.
  void encode(std::string_view text, std::vector<uint32_t>& out) const;
  // Appends the bytes of the tokens to out; false if an id is not in the table.
  bool decode(std::span<const uint32_t> ids, std::string& out) const;

 private:
  BpeTokenizer(Encoding encoding) : encoding_(encoding) {}
  template <class Sink>
  void run(std::string_view text, Sink& sink) const;
  template <class Sink>
  void piece(const uint8_t* p, size_t n, Sink& sink) const;
  template <class Sink>
  void merge_short(const uint8_t* buf, size_t n, Sink& sink) const;
  template <class Sink>
  void merge_long(const uint8_t* buf, size_t n, Sink& sink) const;

  Encoding encoding_;
  BpeRanks ranks_;
};

}  // namespace ringgate::providers::tokenizer
