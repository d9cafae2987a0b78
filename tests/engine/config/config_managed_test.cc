// Managed [[deployments]] (managed = { ... }), [managed] state_dir and [[models]] while_starting:
// what loads, the implied upstream, the defaults, and the errors.
#include <gtest/gtest.h>

#include <string>

#include "engine/config/config.h"
#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::load_error;
using testing::open_access;

Config load_ok(std::string_view toml) {
  ConfigError err;
  auto config = load_config_string(open_access(toml), "t.toml", err);
  EXPECT_TRUE(config.has_value()) << err.message;
  return config ? *config : Config{};
}

constexpr std::string_view kManaged = R"([[deployments]]
name = "local-llama"
model = "llama3"
format = "anthropic"
managed = { command = ["llama-server", "--port", "{port}"], env = { CUDA_VISIBLE_DEVICES = "0" }, port = 18600, health = "/ready", start_timeout_ms = 5000, idle_stop_ms = 60000, max_queued = 8, stop_grace_ms = 100 }

[[models]]
name = "llama"
deployments = ["local-llama"]
while_starting = "fallback"
fallbacks = ["other"]

[[models]]
name = "other"
deployments = ["local-llama"]

[managed]
state_dir = "/tmp/rg-state"
)";

TEST(ConfigManaged, EveryKeyIsReadAndTheUpstreamIsImplied) {
  const Config c = load_ok(kManaged);
  ASSERT_EQ(c.deployments.size(), 1u);
  const ManagedServer& m = c.deployments[0].managed;
  EXPECT_TRUE(m.enabled);
  EXPECT_EQ(m.command, (std::vector<std::string>{"llama-server", "--port", "{port}"}));
  ASSERT_EQ(m.env.size(), 1u);
  EXPECT_EQ(m.env[0].first, "CUDA_VISIBLE_DEVICES");
  EXPECT_EQ(m.env[0].second, "0");
  EXPECT_EQ(m.port, 18600);
  EXPECT_EQ(m.health, "/ready");
  EXPECT_EQ(m.start_timeout_ms, 5000u);
  EXPECT_EQ(m.idle_stop_ms, 60000u);
  EXPECT_EQ(m.max_queued, 8u);
  EXPECT_EQ(m.stop_grace_ms, 100u);
  EXPECT_FALSE(c.deployments[0].health.enabled);  // the supervisor watches it, not the prober
  const Upstream* u = c.find_upstream("local-llama");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->url, "http://127.0.0.1:18600/v1");
  EXPECT_EQ(u->format, providers::ApiFormat::kAnthropic);
  EXPECT_EQ(c.deployments[0].upstream, "local-llama");
  EXPECT_EQ(c.find_model("llama")->while_starting, WhileStarting::kFallback);
  EXPECT_EQ(c.find_model("other")->while_starting, WhileStarting::kWait);
  EXPECT_EQ(c.managed.state_dir, "/tmp/rg-state");
}

TEST(ConfigManaged, Defaults) {
  const Config c = load_ok(R"([[deployments]]
name = "l"
model = "m"
managed = { command = ["srv"], port = 1234 }

[[models]]
name = "m"
deployments = ["l"]
)");
  const ManagedServer& m = c.deployments[0].managed;
  EXPECT_EQ(m.health, "/health");
  EXPECT_EQ(m.start_timeout_ms, 120000u);
  EXPECT_EQ(m.idle_stop_ms, 600000u);
  EXPECT_EQ(m.max_queued, 64u);
  EXPECT_EQ(m.stop_grace_ms, 5000u);
  EXPECT_EQ(c.find_upstream("l")->format, providers::ApiFormat::kOpenAi);
  EXPECT_EQ(c.managed.state_dir, "");
}

TEST(ConfigManaged, Errors) {
  const std::string base = R"([[models]]
name = "m"
deployments = ["l"]

[[deployments]]
name = "l"
model = "m"
)";
  EXPECT_NE(load_error(base + "managed = { port = 1 }\n")
                .find("managed is missing required key 'command'"),
            std::string::npos);
  EXPECT_NE(load_error(base + "managed = { command = [\"x\"] }\n")
                .find("managed is missing required key 'port'"),
            std::string::npos);
  EXPECT_NE(load_error(base + "managed = { command = [\"\"], port = 1 }\n")
                .find("must start with the program"),
            std::string::npos);
  EXPECT_NE(load_error(base + "managed = { command = [\"x\"], port = 1, health = \"up\" }\n")
                .find("managed.health must start with '/'"),
            std::string::npos);
  EXPECT_NE(load_error(base + "managed = { command = [\"x\"], port = 1, max_queued = 0 }\n")
                .find("max_queued"),
            std::string::npos);
  EXPECT_NE(load_error(base + "format = \"azure\"\nmanaged = { command = [\"x\"], port = 1 }\n")
                .find("format must be \"openai\" or \"anthropic\""),
            std::string::npos);
  EXPECT_NE(load_error(base + "upstream = \"x\"\nmanaged = { command = [\"x\"], port = 1 }\n")
                .find("drop upstream"),
            std::string::npos);
  EXPECT_NE(load_error(R"([[upstreams]]
name = "l"
url = "http://127.0.0.1:9/v1"
)" + base + "managed = { command = [\"x\"], port = 1 }\n")
                .find("would imply an upstream of that name"),
            std::string::npos);
  EXPECT_NE(load_error(base + "managed = { command = [\"x\"], port = 1 }\n[[models]]\nname = "
                              "\"n\"\ndeployments = [\"l\"]\nwhile_starting = \"never\"\n")
                .find("while_starting must be \"wait\" or \"fallback\""),
            std::string::npos);
}

}  // namespace
}  // namespace ringgate::config
