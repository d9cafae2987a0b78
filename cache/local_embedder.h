// LocalEmbedder, an inline Embedder (cache/embedder.h). It is deterministic,
// needs no model and takes microseconds: signed feature hashing (Weinberger et al., 2009) of
// lowercased word unigrams and bigrams and of character 3- to 5-grams (counted in UTF-8 code
// points, fastText-style with word-boundary marks) into `dim` buckets, then L2-normalized.
// It matches surface similarity, not meaning: paraphrases with other words score low.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "cache/embedder.h"

namespace ringgate::cache {

class LocalEmbedder final : public Embedder {
 public:
  explicit LocalEmbedder(size_t dim = 384);
  size_t dim() const override { return dim_; }
  const std::string& name() const override { return name_; }
  bool inline_embedder() const override { return true; }
  bool embed_now(std::string_view text, std::span<float> out) override;  // thread-safe

 private:
  void add(std::span<float> out, uint64_t hash, float weight) const;
  size_t dim_;
  std::string name_;
};

}  // namespace ringgate::cache
