// [cluster]: the shared Redis for fleet-wide limits, the lease slice and the Redis-down policy.
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
)";

TEST(ConfigCluster, OffWithoutTheTable) {
  ConfigError err;
  auto c = load_config_string(open_access(kModels), "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_FALSE(c->cluster.enabled);
}

TEST(ConfigCluster, TableIsRead) {
  ConfigError err;
  auto c = load_config_string(open_access(std::string(R"([cluster]
redis = "127.0.0.1:6390"
node_id = "n1"
slice_fraction = 0.1
timeout_ms = 50
on_redis_down = "local"
nodes = 4
idle_return_ms = 250
mode = "lease"
)") + kModels),
                              "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  const ClusterConfig& k = c->cluster;
  EXPECT_TRUE(k.enabled);
  EXPECT_EQ(k.redis_host, "127.0.0.1");
  EXPECT_EQ(k.redis_port, 6390);
  EXPECT_EQ(k.node_id, "n1");
  EXPECT_EQ(k.timeout_ms, 50);
  EXPECT_EQ(k.on_redis_down, RedisDownPolicy::kLocal);
  EXPECT_EQ(k.nodes, 4);
  EXPECT_EQ(k.idle_return_ms, 250);
  EXPECT_EQ(k.slice_for(1000), 100u);
  EXPECT_EQ(k.slice_for(3), 1u) << "never below one request";
  EXPECT_FALSE(k.exact);
}

TEST(ConfigCluster, ExactModeIsRead) {
  ConfigError err;
  auto c = load_config_string(
      open_access("[cluster]\nredis = \"127.0.0.1:1\"\nmode = \"exact\"\n" + std::string(kModels)),
      "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_TRUE(c->cluster.exact);
}

TEST(ConfigCluster, DefaultsAndAbsoluteSlice) {
  ConfigError err;
  auto c = load_config_string(
      open_access("[cluster]\nredis = \"localhost:6379\"\nslice = 7\n" + std::string(kModels)),
      "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_EQ(c->cluster.on_redis_down, RedisDownPolicy::kClosed) << "fail closed by default";
  EXPECT_EQ(c->cluster.slice_for(1000), 7u);
  EXPECT_FALSE(c->cluster.node_id.empty()) << "hostname:pid by default";
}

TEST(ConfigCluster, BadValuesArePositionedErrors) {
  EXPECT_EQ(load_error("[cluster]\nnodes = 2\n" + std::string(kModels)),
            "t.toml:1:1: [cluster] needs redis = \"HOST:PORT\"");
  EXPECT_NE(load_error("[cluster]\nredis = \"redis.example:6379\"\n" + std::string(kModels))
                .find("t.toml:2:9: cluster.redis"),
            std::string::npos);
  EXPECT_EQ(load_error("[cluster]\nredis = \"127.0.0.1:1\"\non_redis_down = \"open\"\n" +
                       std::string(kModels)),
            "t.toml:3:17: cluster.on_redis_down must be \"closed\" or \"local\"");
  EXPECT_EQ(load_error("[cluster]\nredis = \"127.0.0.1:1\"\nslice_fraction = 1.5\n" +
                       std::string(kModels)),
            "t.toml:3:18: cluster.slice_fraction must be a number in (0, 1]");
  EXPECT_EQ(
      load_error("[cluster]\nredis = \"127.0.0.1:1\"\nmode = \"exactly\"\n" + std::string(kModels)),
      "t.toml:3:8: cluster.mode must be \"lease\" or \"exact\"");
  EXPECT_NE(load_error("[cluster]\nredis = \"127.0.0.1:1\"\nslices = 3\n" + std::string(kModels))
                .find("slices"),
            std::string::npos);
}

}  // namespace
}  // namespace ringgate::config
