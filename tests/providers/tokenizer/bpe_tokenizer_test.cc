#include "providers/tokenizer/bpe_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace ringgate::providers::tokenizer {
namespace {

// The rank files tools/setup.sh writes; a missing one fails the test with what to run.
const BpeTokenizer& tokenizer(Encoding e) {
  static std::unique_ptr<BpeTokenizer> t[2];
  std::unique_ptr<BpeTokenizer>& slot = t[e == Encoding::kO200kBase];
  if (!slot) {
    std::string path =
        std::string(RINGGATE_TOKENIZER_DATA_DIR) + "/" + BpeTokenizer::rank_file_name(e);
    std::string err;
    slot = BpeTokenizer::load(e, path, &err);
    if (!slot) {
      ADD_FAILURE() << err << "\nRun tools/setup.sh (or tools/tokenizer_ranks.sh) first.";
      std::abort();
    }
  }
  return *slot;
}

std::vector<uint32_t> ids(Encoding e, std::string_view text) {
  std::vector<uint32_t> v;
  tokenizer(e).encode(text, v);
  return v;
}

using Ids = std::vector<uint32_t>;

TEST(BpeTokenizer, KnownIds) {
  // From tiktoken: encode_ordinary("Hello world, this is a test. Don't stop!").
  EXPECT_EQ(ids(Encoding::kO200kBase, "Hello world, this is a test. Don't stop!"),
            (Ids{13225, 2375, 11, 495, 382, 261, 1746, 13, 19666, 5666, 0}));
  EXPECT_EQ(ids(Encoding::kCl100kBase, "Hello world"), (Ids{9906, 1917}));
  EXPECT_EQ(ids(Encoding::kO200kBase, "Hello world"), (Ids{13225, 2375}));
  EXPECT_TRUE(ids(Encoding::kO200kBase, "").empty());
}

TEST(BpeTokenizer, SpecialTokensAreOrdinaryText) {
  Ids v = ids(Encoding::kO200kBase, "<|endoftext|>");
  EXPECT_GT(v.size(), 1u);
  for (uint32_t id : v) EXPECT_NE(id, 199999u);
}

TEST(BpeTokenizer, RoundTripsAndCountsAnyBytes) {
  std::string text = "Mixed: \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd  \n\n";
  for (int i = 0; i < 3000; ++i) text += char((i * 131 + 7) & 0xff);  // invalid UTF-8 included
  for (Encoding e : {Encoding::kCl100kBase, Encoding::kO200kBase}) {
    Ids v = ids(e, text);
    EXPECT_EQ(tokenizer(e).count(text), v.size());
    std::string back;
    ASSERT_TRUE(tokenizer(e).decode(v, back));
    EXPECT_EQ(back, text);
  }
}

TEST(BpeTokenizer, LongPiecesMergeLikeShortOnes) {
  // Pieces above 128 bytes take the heap merge, shorter ones the quadratic scan; lengths on
  // both sides of the threshold must round-trip (the node test checks both against tiktoken).
  for (Encoding e : {Encoding::kCl100kBase, Encoding::kO200kBase}) {
    for (size_t n : {100, 127, 128, 129, 130, 200, 255, 256, 1000}) {
      std::string run(n, 'a');
      Ids v = ids(e, run);
      std::string back;
      ASSERT_TRUE(tokenizer(e).decode(v, back));
      EXPECT_EQ(back, run);
      EXPECT_EQ(tokenizer(e).count(run), v.size());
    }
  }
}

TEST(BpeTokenizer, MegabyteRunOfOneLetterIsFast) {
  // One piece of 1 MB: quadratic merging would take minutes; the heap takes well under a second.
  std::string run(1 << 20, 'x');
  for (Encoding e : {Encoding::kCl100kBase, Encoding::kO200kBase}) {
    Ids v = ids(e, run);
    std::string back;
    ASSERT_TRUE(tokenizer(e).decode(v, back));
    EXPECT_EQ(back, run);
    EXPECT_LT(v.size(), run.size() / 4);
  }
}

TEST(BpeTokenizer, ConcurrentConstUse) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "The quick brown fox jumps over the lazy dog 12345. ";
  const BpeTokenizer& t = tokenizer(Encoding::kO200kBase);
  Ids expected;
  t.encode(text, expected);
  std::vector<Ids> got(4);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int r = 0; r < 20; ++r) {
        got[k].clear();
        t.encode(text, got[k]);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const Ids& g : got) EXPECT_EQ(g, expected);
}

TEST(BpeTokenizer, LoadFailsClearly) {
  std::string err;
  EXPECT_EQ(BpeTokenizer::load(Encoding::kO200kBase, "/nonexistent.tiktoken", &err), nullptr);
  EXPECT_NE(err.find("/nonexistent.tiktoken"), std::string::npos);
}

}  // namespace
}  // namespace ringgate::providers::tokenizer
