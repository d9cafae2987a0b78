// Gateway key material: generated keys, SHA-256, the hex form the config holds, and the strength
// rule for a hand-picked static key.
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

#include "engine/config/key_material.h"

namespace ringgate::config {
namespace {

bool base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

TEST(KeyMaterial, GeneratedKeysAreRgPlus43Base64UrlCharactersAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::optional<std::string> key = generate_key();
    ASSERT_TRUE(key.has_value());
    ASSERT_EQ(key->size(), kGeneratedKeyLength);
    EXPECT_EQ(key->size(), 46u);
    EXPECT_TRUE(key->starts_with("rg-")) << *key;
    for (char c : key->substr(3)) EXPECT_TRUE(base64url_char(c)) << *key;
    // 32 bytes are 256 bits, and 43 characters carry 258: the last one holds 2 bits, padded 0.
    EXPECT_NE(std::string("AEIMQUYcgkosw048").find(key->back()), std::string::npos) << *key;
    EXPECT_EQ(key_weakness(*key), "") << *key;
    EXPECT_TRUE(seen.insert(*key).second);
  }
}

TEST(KeyMaterial, Sha256KnownAnswers) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256("abc")), sha256_hex("abc"));
}

TEST(KeyMaterial, ParsesHexOfEitherCaseAndNothingElse) {
  const std::string lower = sha256_hex("abc");
  std::string upper = lower;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_TRUE(parse_sha256_hex(lower).has_value());
  EXPECT_EQ(*parse_sha256_hex(lower), sha256("abc"));
  EXPECT_EQ(*parse_sha256_hex(upper), sha256("abc"));
  EXPECT_FALSE(parse_sha256_hex(lower.substr(1)).has_value());
  EXPECT_FALSE(parse_sha256_hex(lower + "0").has_value());
  EXPECT_FALSE(parse_sha256_hex("g" + lower.substr(1)).has_value());
  EXPECT_FALSE(parse_sha256_hex("").has_value());
}

// seed-defect: 000-C1
TEST(KeyMaterial, WeakStaticKeysAreNamedWithoutQuotingThem) {
  EXPECT_EQ(key_weakness("short-key-1234"), "it has 14 characters; at least 32 are needed");
  EXPECT_EQ(key_weakness("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            "it uses only 1 distinct characters; at least 10 are needed");
  EXPECT_EQ(key_weakness("password1password1password1password1"),
            "it uses only 8 distinct characters; at least 10 are needed");
  EXPECT_EQ(key_weakness("0123456789abcdef0123456789abcdef"), "it is a shorter string repeated");
  EXPECT_EQ(key_weakness("abcdefghijk-abcdefghijk-abcdefghij"), "it is a shorter string repeated");
  EXPECT_EQ(key_weakness("xxxxxxxxxxxxabcdefghijklmnopqrstuv"),
            "one character makes up more than a quarter of it");
  EXPECT_EQ(key_weakness("correct horse battery staple key 42"),
            "it holds a space, control or non-ASCII character; keys travel in HTTP headers");
}

TEST(KeyMaterial, RandomKeysOfTheUsualShapesAreStrong) {
  EXPECT_EQ(key_weakness("9c1f5a7e3b2d8f604e1a9c7b5d3f2e81"), "");  // openssl rand -hex 16
  EXPECT_EQ(key_weakness("tX3vQ9+Lr0aP5mZ8bN2cK7dF1gH4jW6yE0uI3oS8qR1="), "");  // -base64 32
}

}  // namespace
}  // namespace ringgate::config
