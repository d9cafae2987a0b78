// BYOK at rest: sealing provider keys (AES-256-GCM, the key id as AAD) and the loader's
// [byok] master_key and [[keys]] provider_keys.
#include "engine/config/byok_seal.h"
#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using namespace testing;

bool has(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

constexpr std::string_view kMasterHex =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kOtherHex =
    "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kProviderKey = "sk-byok-plaintext-7c1e5d";
// A sha256 for the [[keys]] entries (any 64 hex digits).
constexpr std::string_view kHash =
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

MasterKey master(std::string_view hex) { return parse_master_key(hex).value(); }

std::string sealed(std::string_view key_id, std::string_view hex = kMasterHex) {
  return seal_provider_key(master(hex), key_id, kProviderKey).value();
}

TEST(ByokSeal, RoundTrip) {
  std::string blob = sealed("team-a");
  EXPECT_TRUE(blob.starts_with("rgk1:"));
  EXPECT_FALSE(has(blob, kProviderKey));
  std::string why;
  EXPECT_EQ(unseal_provider_key(master(kMasterHex), "team-a", blob, why), kProviderKey);
}

TEST(ByokSeal, EachSealUsesAFreshNonce) { EXPECT_NE(sealed("team-a"), sealed("team-a")); }

// Every character of the string, the padding bits of the last quantum included (seals of this
// 24-byte key end in "==", so the character before holds 4 bits that decode to nothing).
TEST(ByokSeal, TamperedBlobDoesNotOpen) {
  std::string blob = sealed("team-a");
  for (size_t at = 5; at < blob.size(); ++at) {
    std::string bad = blob;
    bad[at] = bad[at] == 'A' ? 'B' : 'A';
    std::string why;
    EXPECT_FALSE(unseal_provider_key(master(kMasterHex), "team-a", bad, why)) << at;
    EXPECT_FALSE(why.empty());
  }
}

TEST(ByokSeal, WrongMasterKeyDoesNotOpen) {
  std::string why;
  EXPECT_FALSE(unseal_provider_key(master(kOtherHex), "team-a", sealed("team-a"), why));
  EXPECT_TRUE(has(why, "does not open"));
}

TEST(ByokSeal, BlobMovedToAnotherKeyIdDoesNotOpen) {
  std::string why;
  EXPECT_FALSE(unseal_provider_key(master(kMasterHex), "team-b", sealed("team-a"), why));
}

TEST(ByokSeal, MalformedBlobsAreRefused) {
  std::string why;
  for (std::string_view bad : {"sk-plain", "rgk1:", "rgk1:!!!!", "rgk1:AAAA"}) {
    EXPECT_FALSE(unseal_provider_key(master(kMasterHex), "team-a", bad, why)) << bad;
    EXPECT_FALSE(has(why, bad.substr(0, 5) == "rgk1:" ? "!!!!" : bad));
  }
}

TEST(ByokSeal, MasterKeyIsHexOrBase64Of32Bytes) {
  EXPECT_TRUE(parse_master_key(kMasterHex));
  EXPECT_EQ(parse_master_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="), master(kMasterHex));
  EXPECT_FALSE(parse_master_key("0001"));
  EXPECT_FALSE(parse_master_key(std::string(64, 'g')));
  EXPECT_FALSE(parse_master_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"));  // 30 bytes
}

std::string key_with(std::string_view provider_keys, std::string_view id = "team-a") {
  return with_routing(
      "[byok]\nmaster_key = \"env:RINGGATE_TEST_BYOK_MASTER\"\n\n[[keys]]\nid = \"" +
      std::string(id) + "\"\nsha256 = \"" + std::string(kHash) +
      "\"\nprovider_keys = " + std::string(provider_keys) + "\n");
}

TEST(ConfigByok, ProviderKeysAreUnsealedAtLoad) {
  ScopedEnv env("RINGGATE_TEST_BYOK_MASTER", kMasterHex.data());
  ConfigError err;
  auto c = load_config_string(key_with("{ mock = \"" + sealed("team-a") + "\" }"), "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  ASSERT_EQ(c->admission.keys[0].provider_keys.size(), 1u);
  EXPECT_EQ(c->admission.keys[0].provider_keys[0].upstream, "mock");
  EXPECT_EQ(c->admission.keys[0].provider_keys[0].secret, kProviderKey);
  EXPECT_FALSE(has(describe(*c), kProviderKey));
}

TEST(ConfigByok, WrongMasterKeyNamesKeyIdAndFieldNeverValues) {
  ScopedEnv env("RINGGATE_TEST_BYOK_MASTER", kOtherHex.data());
  std::string blob = sealed("team-a");
  std::string msg = load_error_as_written(key_with("{ mock = \"" + blob + "\" }"));
  EXPECT_TRUE(has(msg, "keys[0].provider_keys.mock (key id 'team-a')"));
  EXPECT_TRUE(has(msg, "does not open"));
  EXPECT_FALSE(has(msg, blob.substr(5, 12)));
  EXPECT_FALSE(has(msg, kOtherHex));
}

TEST(ConfigByok, BlobCopiedFromAnotherKeyIsALoadError) {
  ScopedEnv env("RINGGATE_TEST_BYOK_MASTER", kMasterHex.data());
  std::string msg =
      load_error_as_written(key_with("{ mock = \"" + sealed("team-a") + "\" }", "team-b"));
  EXPECT_TRUE(has(msg, "(key id 'team-b') does not open"));
}

// seed-defect: 004-P11 (a BYOK provider key written in clear is refused)
TEST(ConfigByok, PlaintextProviderKeyIsRefusedWithoutEchoingIt) {
  ScopedEnv env("RINGGATE_TEST_BYOK_MASTER", kMasterHex.data());
  std::string msg =
      load_error_as_written(key_with("{ mock = \"" + std::string(kProviderKey) + "\" }"));
  EXPECT_TRUE(has(msg, "is not a sealed key"));
  EXPECT_FALSE(has(msg, kProviderKey));
}

TEST(ConfigByok, UnknownUpstreamIsALoadError) {
  ScopedEnv env("RINGGATE_TEST_BYOK_MASTER", kMasterHex.data());
  EXPECT_TRUE(has(load_error_as_written(key_with("{ nope = \"" + sealed("team-a") + "\" }")),
                  "no [[upstreams]] entry named 'nope'"));
}

TEST(ConfigByok, ProviderKeysNeedAMasterKey) {
  std::string toml = with_routing("[[keys]]\nid = \"team-a\"\nsha256 = \"" + std::string(kHash) +
                                  "\"\nprovider_keys = { mock = \"" + sealed("team-a") + "\" }\n");
  EXPECT_TRUE(has(load_error_as_written(toml), "needs [byok] master_key"));
}

TEST(ConfigByok, MasterKeyMustBeAReferenceTo32Bytes) {
  EXPECT_TRUE(
      has(load_error(with_routing("[byok]\nmaster_key = \"" + std::string(kMasterHex) + "\"\n")),
          "must not hold the key itself"));
  ScopedEnv env("RINGGATE_TEST_BYOK_MASTER", "short");
  std::string msg =
      load_error(with_routing("[byok]\nmaster_key = \"env:RINGGATE_TEST_BYOK_MASTER\"\n"));
  EXPECT_TRUE(has(msg, "must be 32 bytes"));
  EXPECT_FALSE(has(msg, "short"));
}

TEST(ConfigByok, ClientProviderKeyIsOffUnlessWritten) {
  ConfigError err;
  auto c = load_config_string(open_access(std::string(kRouting) + "client_provider_key = true\n"),
                              "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_TRUE(c->models[0].client_provider_key);
  auto d = load_config_string(open_access(kRouting), "t.toml", err);
  EXPECT_FALSE(d->models[0].client_provider_key);
}

}  // namespace
}  // namespace ringgate::config
