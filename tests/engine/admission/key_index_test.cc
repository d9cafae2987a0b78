// Virtual keys: lookup by digest, and model patterns.
#include "engine/admission/key_index.h"

#include <gtest/gtest.h>

#include <set>

#include "engine/admission/model_pattern.h"

namespace ringgate::admission {
namespace {

using config::kMaxKeyLength;
using config::kMinKeyLength;
using config::sha256;

// Generation, hashing and the strength rule are config::key_material's (its own tests).
std::string generate_key() { return config::generate_key().value(); }

class KeyIndexTest : public ::testing::Test {
 protected:
  std::string alice = generate_key(), bob = generate_key();
  KeyIndex index{{{sha256(alice), 7}, {sha256(bob), 9}}};
};

TEST_F(KeyIndexTest, TheRightKeyIsFound) {
  EXPECT_EQ(index.find(alice), 7u);
  EXPECT_EQ(index.find(bob), 9u);
}

TEST_F(KeyIndexTest, AWrongKeyOfTheRightShapeIsNotFound) {
  EXPECT_EQ(index.find(generate_key()), std::nullopt);
}

// seed-defect: 000-C1 (keys that share a prefix with a real key get no further than any other)
TEST_F(KeyIndexTest, KeysSharingAPrefixAreNotFound) {
  std::string near = alice;
  near.back() = near.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(index.find(near), std::nullopt);
  EXPECT_EQ(index.find(alice + "x"), std::nullopt);
}

TEST_F(KeyIndexTest, AShortKeyIsRefusedBeforeHashing) {
  // Even a configured digest of a short key is unreachable: length is checked first.
  const std::string short_key = alice.substr(0, kMinKeyLength - 1);
  KeyIndex with_short{{{sha256(short_key), 1}}};
  EXPECT_EQ(with_short.find(short_key), std::nullopt);
  EXPECT_EQ(index.find(""), std::nullopt);
  EXPECT_EQ(index.find(std::string(kMaxKeyLength + 1, 'k')), std::nullopt);
}

TEST(ModelPattern, GlobsMatchCanonicalNames) {
  EXPECT_TRUE(glob_match("gpt-4o*", "gpt-4o"));
  EXPECT_TRUE(glob_match("gpt-4o*", "gpt-4o-mini"));
  EXPECT_FALSE(glob_match("gpt-4o*", "gpt-4"));
  EXPECT_TRUE(glob_match("claude-*", "claude-sonnet-4"));
  EXPECT_FALSE(glob_match("claude-*", "Claude-sonnet-4"));  // case-sensitive, like find_model
  EXPECT_TRUE(glob_match("*-mini", "gpt-4o-mini"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYbc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYYbcd"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("exact", "exact"));
  EXPECT_FALSE(glob_match("exact", "exact2"));
  EXPECT_FALSE(glob_match("", "x"));
}

TEST(ModelPattern, AnEmptyListAllowsEveryModel) {
  const std::vector<std::string> none, some{"free-*", "gpt-4o"};
  EXPECT_TRUE(any_pattern_matches(none, "anything"));
  EXPECT_TRUE(any_pattern_matches(some, "free-llama"));
  EXPECT_TRUE(any_pattern_matches(some, "gpt-4o"));
  EXPECT_FALSE(any_pattern_matches(some, "gpt-4o-mini"));
}

}  // namespace
}  // namespace ringgate::admission
