// [cache] and the [[models]] `cache` policy: what the exact cache may keep, for whom, how long.
#include <gtest/gtest.h>

#include <string>

#include "engine/config/config.h"
#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::load_error;
using testing::open_access;

constexpr const char* kModels = R"([[upstreams]]
name = "oa"
url = "http://127.0.0.1:8000/v1"
[[models]]
name = "m"
upstream = "oa"
[[models]]
name = "n"
upstream = "oa"
cache = "never"
)";

TEST(ConfigCache, OffByDefaultWithTemperatureZeroPolicy) {
  ConfigError err;
  auto c = load_config_string(open_access(kModels), "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_FALSE(c->cache.enabled);
  EXPECT_EQ(c->cache.scope, CacheScope::kKey);
  EXPECT_EQ(c->models[0].cache_policy, cache::CachePolicy::kTemperatureZero);
  EXPECT_EQ(c->models[1].cache_policy, cache::CachePolicy::kNever);
}

TEST(ConfigCache, TableIsReadAndIsTheModelsDefault) {
  ConfigError err;
  auto c = load_config_string(open_access(std::string(R"([cache]
enabled = true
scope = "team"
ttl_s = 2
max_bytes = 1048576
max_entry_bytes = 65536
policy = "always"
)") + kModels),
                              "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_TRUE(c->cache.enabled);
  EXPECT_EQ(c->cache.scope, CacheScope::kTeam);
  EXPECT_EQ(c->cache.ttl_ms, 2000);
  EXPECT_EQ(c->cache.max_bytes, 1048576);
  EXPECT_EQ(c->cache.max_entry_bytes, 65536);
  EXPECT_EQ(c->models[0].cache_policy, cache::CachePolicy::kAlways);
  EXPECT_EQ(c->models[1].cache_policy, cache::CachePolicy::kNever);
}

TEST(ConfigCache, BadValuesArePositionedErrors) {
  EXPECT_EQ(load_error("[cache]\nscope = \"tenant\"\n" + std::string(kModels)),
            "t.toml:2:9: cache.scope must be \"key\" or \"team\"");
  EXPECT_EQ(load_error("[cache]\nttl_s = 0\n" + std::string(kModels)),
            "t.toml:2:9: cache.ttl_s must be between 1 and 2592000, not 0");
  EXPECT_EQ(load_error(std::string(kModels) + "[[models]]\nname = \"o\"\nupstream = \"oa\"\n"
                                              "cache = \"sometimes\"\n"),
            "t.toml:14:9: models[2].cache must be \"never\", \"temperature_zero\" or \"always\"");
  EXPECT_NE(load_error("[cache]\nsize = 5\n" + std::string(kModels)).find("size"),
            std::string::npos);
}

// [cache.semantic] goes through the full loader (read_semantic_cache) with positioned errors.
TEST(ConfigCache, SemanticTableIsReadThroughTheLoader) {
  ConfigError err;
  auto c = load_config_string(open_access(std::string(R"([cache]
enabled = true
[cache.semantic]
enabled = false
local_dims = 64
default_threshold = 0.9
[cache.semantic.thresholds]
m = 0.97
)") + kModels),
                              "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_FALSE(c->cache.semantic.enabled);
  EXPECT_EQ(c->cache.semantic.local_dims, 64u);
  EXPECT_DOUBLE_EQ(c->cache.semantic.threshold_for("m"), 0.97);
  EXPECT_DOUBLE_EQ(c->cache.semantic.threshold_for("n"), 0.9);
  EXPECT_EQ(load_error("[cache.semantic]\nlocal_dims = 2\n" + std::string(kModels)),
            "t.toml:2:14: cache.semantic.local_dims must be between 8 and 8192, not 2");
  EXPECT_NE(
      load_error("[cache.semantic]\nthreshold = 0.9\n" + std::string(kModels)).find("threshold"),
      std::string::npos);
}

// Served now: enabling it loads (the gateway builds the index and embedder at start).
TEST(ConfigCache, SemanticEnabledLoads) {
  ConfigError err;
  auto c =
      load_config_string(open_access("[cache]\nenabled = true\n[cache.semantic]\nenabled = true\n" +
                                     std::string(kModels)),
                         "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_TRUE(c->cache.semantic.enabled);
}

}  // namespace
}  // namespace ringgate::config
