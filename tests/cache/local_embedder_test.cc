// LocalEmbedder: determinism, unit length, empty input, near duplicates closer than unrelated
// texts, case folding, UTF-8 input and the output-size contract.
#include "cache/local_embedder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cache/hnsw_index.h"

namespace ringgate::cache {
namespace {

std::vector<float> embed(LocalEmbedder& e, std::string_view text) {
  std::vector<float> v(e.dim());
  EXPECT_TRUE(e.embed_now(text, v));
  return v;
}

float cosine(const std::vector<float>& a, const std::vector<float>& b) {
  return dot_product(a.data(), b.data(), a.size());
}

double norm(const std::vector<float>& v) { return std::sqrt(cosine(v, v)); }

TEST(LocalEmbedder, IsDeterministicAndNormalized) {
  LocalEmbedder e;
  EXPECT_EQ(e.dim(), 384u);
  const auto a = embed(e, "What is the capital of France?");
  EXPECT_EQ(a, embed(e, "What is the capital of France?"));
  LocalEmbedder other(384);
  EXPECT_EQ(a, embed(other, "What is the capital of France?"));
  EXPECT_NEAR(norm(a), 1.0, 1e-5);
}

TEST(LocalEmbedder, EmptyOrFeaturelessTextIsAllZero) {
  LocalEmbedder e(64);
  for (const char* text : {"", "   ", "?!,.;", "\n\t"}) {
    const auto v = embed(e, text);
    for (float x : v) EXPECT_EQ(x, 0.0f) << '"' << text << '"';
  }
}

TEST(LocalEmbedder, NearDuplicatesAreCloserThanUnrelatedTexts) {
  LocalEmbedder e;
  const auto q = embed(e, "What is the capital of France?");
  const auto near = embed(e, "what's the capital city of france");
  const auto other = embed(e, "Write a haiku about autumn leaves falling.");
  EXPECT_GT(cosine(q, near), 0.6f);
  EXPECT_LT(cosine(q, other), 0.3f);
  EXPECT_GT(cosine(q, near), cosine(q, other) + 0.3f);
  EXPECT_NEAR(cosine(q, embed(e, "WHAT IS THE CAPITAL OF FRANCE")), 1.0f,
              1e-5);  // case, punctuation
}

TEST(LocalEmbedder, HandlesUtf8AndWordOrder) {
  LocalEmbedder e;
  const auto a = embed(e, "Über die Straße gehen");
  EXPECT_NEAR(norm(a), 1.0, 1e-5);
  EXPECT_GT(cosine(a, embed(e, "über die straße gehen")), 0.6f);  // only Ü folds differently
  const auto ab = embed(e, "dog bites man");
  const auto ba = embed(e, "man bites dog");
  EXPECT_LT(cosine(ab, ba), 0.999f);  // bigrams see order
  EXPECT_GT(cosine(ab, ba), 0.5f);
  std::string invalid = "abc\xff\xfe\x80 def";
  EXPECT_NEAR(norm(embed(e, invalid)), 1.0, 1e-5);
}

TEST(LocalEmbedder, RefusesWrongOutputSize) {
  LocalEmbedder e(16);
  std::vector<float> v(15);
  EXPECT_FALSE(e.embed_now("hello", v));
  EXPECT_EQ(e.name(), "local-ngram-v1-16");
}

TEST(LocalEmbedder, SubmitAnswersInlineWithTheSameVector) {
  LocalEmbedder e(32);
  EXPECT_TRUE(e.inline_embedder());
  std::vector<float> got;
  int calls = 0;
  EXPECT_TRUE(e.submit("hello world", steady_now_ms() + 10, [&](bool ok, std::span<const float> v) {
    ++calls;
    EXPECT_TRUE(ok);
    got.assign(v.begin(), v.end());
  }));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(got, embed(e, "hello world"));
}

}  // namespace
}  // namespace ringgate::cache
