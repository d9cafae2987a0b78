#include "providers/tokenizer/bpe_ranks.h"

#include <gtest/gtest.h>

#include <string>

namespace ringgate::providers::tokenizer {
namespace {

// Every byte as a token (ranks 0..255, as tiktoken's files start), then the given extra lines.
std::string byte_table(const std::string& extra) {
  static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s;
  for (int b = 0; b < 256; ++b) {
    s += kB64[b >> 2];
    s += kB64[(b & 3) << 4];
    s += "== " + std::to_string(b) + "\n";
  }
  return s + extra;
}

TEST(BpeRanks, ParsesAndFinds) {
  BpeRanks r;
  std::string err;
  // "aGVsbG8=" = "hello", "aGVsbG8gd29ybGQgYWdhaW4=" = "hello world again" (17 bytes)
  ASSERT_TRUE(r.parse(byte_table("aGVsbG8= 300\naGVsbG8gd29ybGQgYWdhaW4= 301\n"), &err)) << err;
  EXPECT_EQ(r.size(), 258u);
  EXPECT_EQ(r.find("hello"), 300u);
  EXPECT_EQ(r.find("hello world again"), 301u);
  EXPECT_EQ(r.find("hello world agaiN"), kNoRank);
  EXPECT_EQ(r.find("hell"), kNoRank);
  EXPECT_EQ(r.find(std::string_view("\0", 1)), 0u);
  EXPECT_EQ(r.find("A"), 65u);
  EXPECT_EQ(r.byte_rank(0xff), 255u);
  EXPECT_EQ(r.bytes_of(300), "hello");
  EXPECT_EQ(r.bytes_of(301), "hello world again");
  EXPECT_EQ(r.bytes_of(299), "");  // a hole
  EXPECT_EQ(r.bytes_of(1u << 30), "");
}

TEST(BpeRanks, KeysDifferingOnlyByTrailingZeroBytes) {
  BpeRanks r;
  std::string err;
  // "YQ==" is "a" (rank 97 in the byte table); "YQA=" is "a\0", "YQAA" is "a\0\0".
  ASSERT_TRUE(r.parse(byte_table("YQA= 400\nYQAA 401\n"), &err)) << err;
  EXPECT_EQ(r.find(std::string_view("a", 1)), 97u);
  EXPECT_EQ(r.find(std::string_view("a\0", 2)), 400u);
  EXPECT_EQ(r.find(std::string_view("a\0\0", 3)), 401u);
}

TEST(BpeRanks, RejectsMalformedFiles) {
  std::string err;
  EXPECT_FALSE(BpeRanks().parse(byte_table("aGVsbG8 300\n"), &err));  // not a multiple of 4
  EXPECT_NE(err.find("line 257"), std::string::npos) << err;
  EXPECT_FALSE(BpeRanks().parse(byte_table("aGV*bG8= 300\n"), &err));
  EXPECT_FALSE(BpeRanks().parse(byte_table("aGVsbG8= x\n"), &err));
  EXPECT_FALSE(BpeRanks().parse(byte_table("aGVsbG8=300\n"), &err));
  EXPECT_FALSE(BpeRanks().parse(byte_table("aGVsbG8= 1\n"), &err));  // rank taken
  EXPECT_NE(err.find("duplicate rank"), std::string::npos) << err;
  EXPECT_FALSE(BpeRanks().parse(byte_table("QQ== 300\n"), &err));  // "A" twice
  EXPECT_NE(err.find("duplicate token"), std::string::npos) << err;
  EXPECT_FALSE(BpeRanks().parse("QQ== 0\n", &err));  // bytes missing
  EXPECT_NE(err.find("no token for byte"), std::string::npos) << err;
}

TEST(BpeRanks, MissingFileSaysWhich) {
  std::string err;
  EXPECT_FALSE(BpeRanks().load_file("/nonexistent/x.tiktoken", &err));
  EXPECT_NE(err.find("/nonexistent/x.tiktoken"), std::string::npos);
}

}  // namespace
}  // namespace ringgate::providers::tokenizer
