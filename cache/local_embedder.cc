// LocalEmbedder: tokenization, n-gram hashing and normalization.
#include "cache/local_embedder.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "cache/hnsw_index.h"

namespace ringgate::cache {
namespace {

constexpr float kWordWeight = 1.0f;
constexpr float kBigramWeight = 0.7f;
constexpr float kCharWeight = 0.4f;

uint64_t fnv1a(std::string_view bytes, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  // Final avalanche so that low bits (the bucket) depend on every byte.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 33);
}

// Word bytes: ASCII letters and digits, and any non-ASCII byte (so UTF-8 letters stay inside
// words; a stray continuation byte is harmless). Everything else separates words.
bool word_byte(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::vector<std::string> lowercase_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (unsigned char c : text) {
    if (word_byte(c)) {
      current.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

// Offsets of code-point starts in s (bytes that are not UTF-8 continuation bytes), plus s.size().
std::vector<size_t> code_point_starts(std::string_view s) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  starts.push_back(s.size());
  return starts;
}

}  // namespace

LocalEmbedder::LocalEmbedder(size_t dim) : dim_(std::max<size_t>(dim, 1)) {
  name_ = "local-ngram-v1-" + std::to_string(dim_);
}

void LocalEmbedder::add(std::span<float> out, uint64_t hash, float weight) const {
  out[hash % dim_] += (hash >> 63) != 0 ? -weight : weight;
}

bool LocalEmbedder::embed_now(std::string_view text, std::span<float> out) {
  if (out.size() != dim_) return false;
  std::fill(out.begin(), out.end(), 0.0f);
  const std::vector<std::string> words = lowercase_words(text);
  std::string marked;
  for (size_t w = 0; w < words.size(); ++w) {
    add(out, fnv1a(words[w], 1), kWordWeight);
    if (w + 1 < words.size()) {
      add(out, fnv1a(words[w], 2) ^ fnv1a(words[w + 1], 3), kBigramWeight);
    }
    marked.assign(1, '<').append(words[w]).push_back('>');
    const std::vector<size_t> starts = code_point_starts(marked);
    const size_t points = starts.size() - 1;
    for (size_t n = 3; n <= 5; ++n) {
      for (size_t i = 0; i + n <= points; ++i) {
        add(out, fnv1a(std::string_view(marked).substr(starts[i], starts[i + n] - starts[i]), n),
            kCharWeight);
      }
    }
  }
  normalize(out);  // leaves an all-zero vector (no features) as it is
  return true;
}

}  // namespace ringgate::cache
