// [metrics]: on by default at /metrics; the admin key is a secret reference, kept only as a hash.
#include <gtest/gtest.h>

#include <string>

#include "engine/config/config.h"
#include "engine/config/key_material.h"
#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::load_error;
using testing::open_access;
using testing::ScopedEnv;
using testing::TempDir;

constexpr const char* kAdminKey = "rg-adm1n-9f8e7d6c5b4a3210fedcba9876543210";
constexpr const char* kBase =
    "[[upstreams]]\nname = \"u\"\nurl = \"http://127.0.0.1:9/v1\"\n"
    "[[models]]\nname = \"m\"\nupstream = \"u\"\n";

std::optional<Config> load(const std::string& toml, ConfigError& err) {
  return load_config_string(open_access(toml), "t.toml", err);
}

TEST(ConfigMetrics, OnByDefaultAtSlashMetricsWithoutAdminKey) {
  ConfigError err;
  auto c = load(kBase, err);
  ASSERT_TRUE(c.has_value()) << err.message;
  EXPECT_TRUE(c->metrics.enabled);
  EXPECT_EQ(c->metrics.path, "/metrics");
  EXPECT_FALSE(c->metrics.admin_key_sha256.has_value());
}

TEST(ConfigMetrics, ReadsEveryKey) {
  ScopedEnv env("RINGGATE_TEST_ADMIN_KEY", kAdminKey);
  ConfigError err;
  auto c = load(std::string(kBase) +
                    "[metrics]\nenabled = false\npath = \"/internal/metrics\"\n"
                    "admin_key = \"env:RINGGATE_TEST_ADMIN_KEY\"\n",
                err);
  ASSERT_TRUE(c.has_value()) << err.message;
  EXPECT_FALSE(c->metrics.enabled);
  EXPECT_EQ(c->metrics.path, "/internal/metrics");
  EXPECT_EQ(c->metrics.admin_key_ref, "env:RINGGATE_TEST_ADMIN_KEY");
  ASSERT_TRUE(c->metrics.admin_key_sha256.has_value());
  EXPECT_EQ(*c->metrics.admin_key_sha256, sha256(kAdminKey));
}

TEST(ConfigMetrics, AdminKeyFromAFile) {
  TempDir dir;
  std::string path = dir.write("admin.key", std::string(kAdminKey) + "\n");
  ConfigError err;
  auto c = load(std::string(kBase) + "[metrics]\nadmin_key = \"file:" + path + "\"\n", err);
  ASSERT_TRUE(c.has_value()) << err.message;
  EXPECT_EQ(*c->metrics.admin_key_sha256, sha256(kAdminKey));
}

TEST(ConfigMetrics, AdminKeyWrittenInTheFileIsRefusedWithoutQuotingIt) {
  std::string e = load_error(std::string(kBase) + "[metrics]\nadmin_key = \"" + kAdminKey + "\"\n");
  EXPECT_NE(e.find("t.toml:8:13: metrics.admin_key must not hold the key itself"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find(kAdminKey), std::string::npos) << e;
}

TEST(ConfigMetrics, WeakOrMissingAdminKeyIsRefused) {
  ScopedEnv env("RINGGATE_TEST_WEAK_ADMIN", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  std::string weak =
      load_error(std::string(kBase) + "[metrics]\nadmin_key = \"env:RINGGATE_TEST_WEAK_ADMIN\"\n");
  EXPECT_NE(weak.find("metrics.admin_key is too weak"), std::string::npos) << weak;
  EXPECT_EQ(weak.find("aaaaaaaa"), std::string::npos) << weak;
  std::string missing =
      load_error(std::string(kBase) + "[metrics]\nadmin_key = \"env:RINGGATE_TEST_UNSET_ADMIN\"\n");
  EXPECT_NE(missing.find("metrics.admin_key:"), std::string::npos) << missing;
}

TEST(ConfigMetrics, PathMustBeALocalPathOutsideTheApi) {
  for (const char* bad : {"metrics", "/v1/metrics", "/healthz", "/readyz", "/", "/a b", "/a?x=1"}) {
    std::string e =
        load_error(std::string(kBase) + "[metrics]\npath = \"" + std::string(bad) + "\"\n");
    EXPECT_NE(e.find("metrics.path must start with '/'"), std::string::npos) << bad << ": " << e;
  }
}

TEST(ConfigMetrics, UnknownKeysAndWrongTypesAreReported) {
  std::string e = load_error(std::string(kBase) + "[metrics]\nenable = true\npath = 3\n");
  EXPECT_NE(e.find("metrics.enable"), std::string::npos) << e;
  EXPECT_NE(e.find("metrics.path"), std::string::npos) << e;
}

TEST(ConfigMetrics, DescribeNamesTheReferenceNeverTheKey) {
  ScopedEnv env("RINGGATE_TEST_ADMIN_KEY", kAdminKey);
  ConfigError err;
  auto c =
      load(std::string(kBase) + "[metrics]\nadmin_key = \"env:RINGGATE_TEST_ADMIN_KEY\"\n", err);
  ASSERT_TRUE(c.has_value()) << err.message;
  std::string d = describe(*c);
  EXPECT_NE(d.find("metrics: GET /metrics with admin key env:RINGGATE_TEST_ADMIN_KEY"),
            std::string::npos)
      << d;
  EXPECT_EQ(d.find(kAdminKey), std::string::npos);
  EXPECT_EQ(d.find(to_hex(sha256(kAdminKey))), std::string::npos);
}

}  // namespace
}  // namespace ringgate::config
