// [[deployments]] and the routing keys of [[models]]: what loads, the defaults, and every error
// naming file:line:column.
#include <gtest/gtest.h>

#include <string>

#include "engine/config/config.h"
#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::load_error;
using testing::open_access;
using testing::ScopedEnv;

Config load_ok(std::string_view toml) {
  ConfigError err;
  auto config = load_config_string(open_access(toml), "t.toml", err);
  EXPECT_TRUE(config.has_value()) << err.message;
  return config ? *config : Config{};
}

// Two upstreams of different formats (nine lines).
constexpr std::string_view kUpstreams = R"([[upstreams]]
name = "oai"
url = "http://127.0.0.1:9001/v1"
api_key = "env:RG_TEST_UPSTREAM_KEY"

[[upstreams]]
name = "ant"
url = "http://127.0.0.1:9002/v1"
format = "anthropic"
)";

std::string with_upstreams(std::string_view rest) {
  return std::string(kUpstreams) + std::string(rest);
}

TEST(ConfigRouting, EveryDeploymentKeyIsRead) {
  ScopedEnv up("RG_TEST_UPSTREAM_KEY", "sk-upstream");
  ScopedEnv k1("RG_TEST_KEY_1", "sk-one");
  ScopedEnv k2("RG_TEST_KEY_2", "sk-two");
  Config c = load_ok(with_upstreams(R"(
[timeouts]
upstream_connect_ms = 1111
upstream_ttfb_ms = 2222

[[deployments]]
name = "oai-east"
upstream = "oai"
model = "gpt-4o-2024-11-20"
keys = ["env:RG_TEST_KEY_1", "env:RG_TEST_KEY_2"]
weight = 3
max_concurrent = 200
timeout = { connect_ms = 500, ttfb_ms = 3000 }
price = { input_per_mtok = 2.50, output_per_mtok = 10.00 }

[[deployments]]
name = "ant-1"
upstream = "ant"
model = "claude-sonnet-4-5"

[[models]]
name = "openai/gpt-4o"
aliases = ["gpt-4o"]
deployments = ["oai-east"]
strategy = "least_outstanding"
fallbacks = ["anthropic/claude"]
on_timeout = "fail"

[[models]]
name = "anthropic/claude"
deployments = ["ant-1"]
)"));
  ASSERT_EQ(c.deployments.size(), 2u);
  const Deployment& d = c.deployments[0];
  EXPECT_EQ(d.name, "oai-east");
  EXPECT_EQ(d.upstream, "oai");
  EXPECT_EQ(d.model, "gpt-4o-2024-11-20");
  EXPECT_EQ(d.key_refs, (std::vector<std::string>{"env:RG_TEST_KEY_1", "env:RG_TEST_KEY_2"}));
  EXPECT_EQ(d.keys, (std::vector<std::string>{"sk-one", "sk-two"}));
  EXPECT_EQ(d.weight, 3u);
  EXPECT_EQ(d.max_concurrent, 200u);
  EXPECT_EQ(d.connect_ms, 500u);
  EXPECT_EQ(d.ttfb_ms, 3000u);
  EXPECT_TRUE(d.price.set);
  EXPECT_EQ(d.price.input_per_mtok_micros, 2'500'000);
  // Defaults: weight 1, no bound, [timeouts], the upstream's key, the model's price.
  const Deployment& e = c.deployments[1];
  EXPECT_EQ(e.weight, 1u);
  EXPECT_EQ(e.max_concurrent, 0u);
  EXPECT_EQ(e.connect_ms, 1111u);
  EXPECT_EQ(e.ttfb_ms, 2222u);
  EXPECT_TRUE(e.keys.empty());
  EXPECT_FALSE(e.price.set);

  const Model& m = c.models[0];
  EXPECT_EQ(m.deployments, std::vector<std::string>{"oai-east"});
  EXPECT_EQ(m.strategy, BalanceStrategy::kLeastOutstanding);
  EXPECT_EQ(m.fallbacks, std::vector<std::string>{"anthropic/claude"});
  EXPECT_EQ(m.on_timeout, OnTimeout::kFail);
  EXPECT_EQ(m.upstream, "oai");  // the first deployment's, for metrics
  EXPECT_EQ(c.models[1].strategy, BalanceStrategy::kWeighted);
  EXPECT_EQ(c.models[1].on_timeout, OnTimeout::kNext);
  // The summary names key references, never keys.
  const std::string text = describe(c);
  EXPECT_NE(text.find("deployment oai-east -> oai as gpt-4o-2024-11-20"), std::string::npos);
  EXPECT_EQ(text.find("sk-one"), std::string::npos);
  EXPECT_EQ(text.find("sk-upstream"), std::string::npos);
}

TEST(ConfigRouting, ShorthandModelsLoadUnchanged) {
  ScopedEnv up("RG_TEST_UPSTREAM_KEY", "sk-upstream");
  Config c = load_ok(with_upstreams(R"(
[[models]]
name = "m"
upstream = "oai"
upstream_model = "gpt-4o"
)"));
  EXPECT_TRUE(c.deployments.empty());
  EXPECT_TRUE(c.models[0].deployments.empty());
  EXPECT_EQ(c.models[0].served_name(), "gpt-4o");
}

TEST(ConfigRouting, DeploymentErrorsNamePositions) {
  ScopedEnv up("RG_TEST_UPSTREAM_KEY", "sk-upstream");
  EXPECT_EQ(load_error(with_upstreams(R"(
[[deployments]]
name = "d"
upstream = "nope"
model = "x"
weight = 0
keys = ["sk-literal-key"]

[[deployments]]
name = "d"
upstream = "oai"
model = "x"
timeout = { connect_ms = 1, tfb_ms = 2 }

[[models]]
name = "m"
deployments = ["d"]
)")),
            "t.toml:13:12: deployments[0].upstream: no upstream named 'nope'\n"
            "t.toml:15:10: deployments[0].weight must be between 1 and 1000000, not 0\n"
            "t.toml:16:9: deployments[0].keys[0] must not hold the key itself; write "
            "\"env:NAME\" or \"file:PATH\"\n"
            "t.toml:19:8: duplicate deployment name 'd' (first defined at line 12)\n"
            "t.toml:22:29: unknown key 'deployments[1].timeout.tfb_ms' (did you mean "
            "'deployments[1].timeout.ttfb_ms'?)");
}

TEST(ConfigRouting, ModelRoutingErrorsNamePositions) {
  ScopedEnv up("RG_TEST_UPSTREAM_KEY", "sk-upstream");
  EXPECT_EQ(load_error(with_upstreams(R"(
[[deployments]]
name = "d"
upstream = "oai"
model = "x"

[[models]]
name = "a"
deployments = ["d", "missing"]
upstream = "oai"
strategy = "random"
on_timeout = "retry"

[[models]]
name = "b"

[[models]]
name = "c"
deployments = ["d"]
fallbacks = ["c", "GPT-4o"]
)")),
            "t.toml:18:21: models[0].deployments: no deployment named 'missing'\n"
            "t.toml:19:12: models[0]: write either upstream (one deployment) or deployments, "
            "not both\n"
            "t.toml:20:12: models[0].strategy must be \"weighted\", \"least_outstanding\" or "
            "\"latency\"\n"
            "t.toml:21:14: models[0].on_timeout must be \"next\" or \"fail\"\n"
            "t.toml:23:1: models[1] needs upstream or deployments\n"
            "t.toml:29:14: models[2].fallbacks names the model itself\n"
            "t.toml:29:19: models[2].fallbacks: no model named 'GPT-4o'");
}

TEST(ConfigRouting, FallbackCyclesAreRefused) {
  ScopedEnv up("RG_TEST_UPSTREAM_KEY", "sk-upstream");
  const std::string e = load_error(with_upstreams(R"(
[[models]]
name = "a"
upstream = "oai"
fallbacks = ["b"]

[[models]]
name = "b"
upstream = "ant"
fallbacks = ["c"]

[[models]]
name = "c"
upstream = "ant"
fallbacks = ["a"]
)"));
  EXPECT_EQ(e,
            "t.toml:24:14: models[2].fallbacks: 'a' leads back to c (fallbacks must not form a "
            "cycle)");
}

TEST(ConfigRouting, UnresolvableDeploymentKeyIsNamedNotShown) {
  ScopedEnv up("RG_TEST_UPSTREAM_KEY", "sk-upstream");
  const std::string e = load_error(with_upstreams(R"(
[[deployments]]
name = "d"
upstream = "oai"
model = "x"
keys = ["env:RG_TEST_NOT_SET_ANYWHERE"]

[[models]]
name = "m"
deployments = ["d"]
)"));
  EXPECT_TRUE(e.starts_with("t.toml:15:9: deployments[0].keys[0]: ")) << e;
  EXPECT_NE(e.find("RG_TEST_NOT_SET_ANYWHERE"), std::string::npos) << e;
}

TEST(ConfigRouting, HealthProbeDefaultsTableAndFalse) {
  ScopedEnv up("RG_TEST_UPSTREAM_KEY", "sk-upstream");
  const Config c = load_ok(with_upstreams(R"(
[[deployments]]
name = "plain"
upstream = "oai"
model = "gpt-4o"

[[deployments]]
name = "tuned"
upstream = "ant"
model = "claude"
health = { path = "/ping", interval_ms = 500, grace_ms = 0, timeout_ms = 300, max_backoff_ms = 4000 }

[[deployments]]
name = "off"
upstream = "oai"
model = "gpt-4o"
health = false

[[models]]
name = "m"
deployments = ["plain", "tuned", "off"]
)"));
  ASSERT_EQ(c.deployments.size(), 3u);
  EXPECT_EQ(c.deployments[0].health, HealthProbe{});
  EXPECT_TRUE(c.deployments[0].health.enabled);
  EXPECT_EQ(c.deployments[0].health.path, "");
  EXPECT_EQ(c.deployments[0].health.interval_ms, 10000u);
  EXPECT_EQ(c.deployments[0].health.grace_ms, 5000u);
  const HealthProbe& t = c.deployments[1].health;
  EXPECT_TRUE(t.enabled);
  EXPECT_EQ(t.path, "/ping");
  EXPECT_EQ(t.interval_ms, 500u);
  EXPECT_EQ(t.grace_ms, 0u);
  EXPECT_EQ(t.timeout_ms, 300u);
  EXPECT_EQ(t.max_backoff_ms, 4000u);
  EXPECT_FALSE(c.deployments[2].health.enabled);
}

TEST(ConfigRouting, HealthProbeErrorsNameTheKey) {
  ScopedEnv up("RG_TEST_UPSTREAM_KEY", "sk-upstream");
  const std::string bad_path = load_error(with_upstreams(R"(
[[deployments]]
name = "d"
upstream = "oai"
model = "gpt-4o"
health = { path = "no slash" }

[[models]]
name = "m"
deployments = ["d"]
)"));
  EXPECT_NE(bad_path.find("deployments[0].health.path must start with '/'"), std::string::npos)
      << bad_path;
  const std::string unknown = load_error(with_upstreams(R"(
[[deployments]]
name = "d"
upstream = "oai"
model = "gpt-4o"
health = { interval = 5 }

[[models]]
name = "m"
deployments = ["d"]
)"));
  EXPECT_NE(unknown.find("interval"), std::string::npos) << unknown;
  const std::string range = load_error(with_upstreams(R"(
[[deployments]]
name = "d"
upstream = "oai"
model = "gpt-4o"
health = { interval_ms = 1 }

[[models]]
name = "m"
deployments = ["d"]
)"));
  EXPECT_NE(range.find("deployments[0].health.interval_ms must be between 100"), std::string::npos)
      << range;
}

TEST(ConfigRouting, BreakerSettingsAreRead) {
  ScopedEnv up("RG_TEST_UPSTREAM_KEY", "sk-upstream");
  const Config c = load_ok(with_upstreams(R"(
[[deployments]]
name = "plain"
upstream = "oai"
model = "gpt-4o"

[[deployments]]
name = "tuned"
upstream = "oai"
model = "gpt-4o"
breaker = { consecutive_failures = 2, error_rate = 0.25, window_ms = 2000, min_requests = 4, cooldown_ms = 300, max_cooldown_ms = 900 }

[[models]]
name = "m"
deployments = ["plain", "tuned"]
)"));
  ASSERT_EQ(c.deployments.size(), 2u);
  EXPECT_EQ(c.deployments[0].breaker, BreakerSettings{});
  EXPECT_EQ(c.deployments[0].breaker.consecutive_failures, 5u);
  EXPECT_EQ(c.deployments[0].breaker.cooldown_ms, 5000u);
  const BreakerSettings& b = c.deployments[1].breaker;
  EXPECT_EQ(b.consecutive_failures, 2u);
  EXPECT_DOUBLE_EQ(b.error_rate, 0.25);
  EXPECT_EQ(b.window_ms, 2000u);
  EXPECT_EQ(b.min_requests, 4u);
  EXPECT_EQ(b.cooldown_ms, 300u);
  EXPECT_EQ(b.max_cooldown_ms, 900u);
}

TEST(ConfigRouting, BreakerErrorsNameFileLineColumn) {
  ScopedEnv up("RG_TEST_UPSTREAM_KEY", "sk-upstream");
  auto with_breaker = [](std::string_view breaker) {
    return with_upstreams(R"(
[[deployments]]
name = "d"
upstream = "oai"
model = "gpt-4o"
)" + std::string(breaker) +
                          R"(

[[models]]
name = "m"
deployments = ["d"]
)");
  };
  EXPECT_EQ(
      load_error(with_breaker("breaker = { error_rate = 2.0 }")),
      "t.toml:15:26: deployments[0].breaker.error_rate must be a number above 0 and at most 1");
  EXPECT_EQ(
      load_error(with_breaker("breaker = { window_ms = 5 }")),
      "t.toml:15:25: deployments[0].breaker.window_ms must be between 100 and 3600000, not 5");
  const std::string unknown = load_error(with_breaker("breaker = { failures = 2 }"));
  EXPECT_NE(unknown.find("t.toml:15:"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("failures"), std::string::npos) << unknown;
  const std::string order =
      load_error(with_breaker("breaker = { cooldown_ms = 500, max_cooldown_ms = 100 }"));
  EXPECT_NE(order.find("t.toml:15:"), std::string::npos) << order;
  EXPECT_NE(order.find("max_cooldown_ms must be at least cooldown_ms"), std::string::npos) << order;
  const std::string type = load_error(with_breaker("breaker = 3"));
  EXPECT_NE(type.find("t.toml:15:11"), std::string::npos) << type;
}

}  // namespace
}  // namespace ringgate::config
