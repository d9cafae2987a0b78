// Embedders turn text into a unit vector for the semantic cache. LocalEmbedder is deterministic,
// needs no model and takes microseconds: signed feature hashing (Weinberger et al., 2009) of
// lowercased word unigrams and bigrams and of character 3- to 5-grams (counted in UTF-8 code
// points, fastText-style with word-boundary marks) into `dim` buckets, then L2-normalized.
// It matches surface similarity, not meaning: paraphrases with other words score low.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace ringgate::cache {

class Embedder {
 public:
  virtual ~Embedder() = default;
  virtual size_t dim() const = 0;
  // Names the embedder in namespaces and thresholds; changes when its output would.
  virtual const std::string& name() const = 0;
  // Writes a unit vector (or all zeros when the text has no features) into `out`, which must
  // hold dim() floats. False means no embedding (wrong size, remote failure): a cache miss.
  virtual bool embed(std::string_view text, std::span<float> out) = 0;
};

class LocalEmbedder final : public Embedder {
 public:
  explicit LocalEmbedder(size_t dim = 384);
  size_t dim() const override { return dim_; }
  const std::string& name() const override { return name_; }
  bool embed(std::string_view text, std::span<float> out) override;  // thread-safe

 private:
  void add(std::span<float> out, uint64_t hash, float weight) const;
  size_t dim_;
  std::string name_;
};

}  // namespace ringgate::cache
