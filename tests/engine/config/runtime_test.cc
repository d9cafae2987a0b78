// Runtime tables: stable upstream ids, model lookup by name and alias, passthrough.
#include "engine/config/runtime.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::ScopedEnv;

Config load_ok(std::string_view toml) {
  ConfigError err;
  auto config = load_config_string(testing::open_access(toml), "t.toml", err);
  EXPECT_TRUE(config.has_value()) << err.message;
  return config ? *config : Config{};
}

std::shared_ptr<const Runtime> build_ok(std::string_view toml) {
  std::string err;
  auto rt = Runtime::build(load_ok(toml), err);
  EXPECT_TRUE(rt) << err;
  return rt;
}

constexpr std::string_view kTwoUpstreams = R"(
[[upstreams]]
name = "a"
url = "http://127.0.0.1:9001/v1"

[[upstreams]]
name = "b"
url = "http://127.0.0.1:9002/v1"
format = "anthropic"

[[models]]
name = "gpt"
aliases = ["gpt-latest", "g"]
upstream = "a"
upstream_model = "gpt-4o"

[[models]]
name = "claude"
upstream = "b"
)";

UpstreamId id_of(const Runtime& rt, std::string_view name) {
  for (const RuntimeUpstream& u : rt.upstreams()) {
    if (u.def->name == name) return u.id;
  }
  ADD_FAILURE() << "no upstream " << name;
  return 0;
}

std::string replace(std::string s, std::string_view from, std::string_view to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(Runtime, IdsAreStableAcrossEqualConfigs) {
  auto first = build_ok(kTwoUpstreams);
  auto second = build_ok(kTwoUpstreams);
  EXPECT_EQ(id_of(*first, "a"), id_of(*second, "a"));
  EXPECT_EQ(id_of(*first, "b"), id_of(*second, "b"));
  EXPECT_NE(id_of(*first, "a"), id_of(*first, "b"));
  EXPECT_EQ(first->find_model("gpt")->id, second->find_model("gpt")->id);
}

TEST(Runtime, IdDoesNotDependOnPosition) {
  // Upstream b first: a reload that reorders the list keeps every id (and so every pool).
  std::string reordered = R"(
[[upstreams]]
name = "b"
url = "http://127.0.0.1:9002/v1"
format = "anthropic"

[[upstreams]]
name = "a"
url = "http://127.0.0.1:9001/v1"

[[models]]
name = "gpt"
upstream = "a"
)";
  auto before = build_ok(kTwoUpstreams);
  auto after = build_ok(reordered);
  EXPECT_EQ(id_of(*before, "a"), id_of(*after, "a"));
  EXPECT_EQ(id_of(*before, "b"), id_of(*after, "b"));
}

TEST(Runtime, IdChangesWithUrlOrName) {
  auto base = build_ok(kTwoUpstreams);
  auto moved = build_ok(replace(std::string(kTwoUpstreams), "127.0.0.1:9001", "127.0.0.1:9003"));
  EXPECT_NE(id_of(*base, "a"), id_of(*moved, "a"));
  EXPECT_EQ(id_of(*base, "b"), id_of(*moved, "b"));
  auto renamed =
      build_ok(replace(replace(std::string(kTwoUpstreams), "name = \"a\"", "name = \"c\""),
                       "upstream = \"a\"", "upstream = \"c\""));
  EXPECT_NE(id_of(*base, "a"), id_of(*renamed, "c"));
}

TEST(Runtime, IdFollowsTheParsedUrlNotItsSpelling) {
  auto base = build_ok(kTwoUpstreams);
  auto spelled = build_ok(
      replace(std::string(kTwoUpstreams), "http://127.0.0.1:9001/v1", "HTTP://127.0.0.1:9001/v1/"));
  EXPECT_EQ(id_of(*base, "a"), id_of(*spelled, "a"));
  auto path = build_ok(replace(std::string(kTwoUpstreams), "9001/v1", "9001/v2"));
  EXPECT_NE(id_of(*base, "a"), id_of(*path, "a"));
}

TEST(Runtime, IdChangesWithTlsSettingsOnly) {
  const std::string https = R"(
[[upstreams]]
name = "a"
url = "https://api.example.com/v1"
%VERIFY%
[[models]]
name = "m"
upstream = "a"
)";
  auto verified = build_ok(replace(https, "%VERIFY%", ""));
  auto unverified = build_ok(replace(https, "%VERIFY%", "tls_verify = false"));
  EXPECT_NE(id_of(*verified, "a"), id_of(*unverified, "a"));
}

TEST(Runtime, KeyFormatAndLimitsDoNotChangeTheId) {
  // They apply per request (key, format) or per pool (limits), not per connection.
  Config c = load_ok(kTwoUpstreams);
  UpstreamId before = upstream_id(c.upstreams[0]);
  c.upstreams[0].api_key = "sk-new";
  c.upstreams[0].format = ApiFormat::kAnthropic;
  c.upstreams[0].max_connections = 7;
  EXPECT_EQ(upstream_id(c.upstreams[0]), before);
}

TEST(Runtime, ConnectionKeyFieldsCannotRunTogether) {
  Upstream x, y;
  x.name = "ab";
  x.parsed.host = "c";
  y.name = "a";
  y.parsed.host = "bc";
  EXPECT_NE(upstream_connection_key(x), upstream_connection_key(y));
}

TEST(Runtime, FindsModelsByNameAndAliasExactly) {
  auto rt = build_ok(kTwoUpstreams);
  const RuntimeModel* gpt = rt->find_model("gpt");
  ASSERT_NE(gpt, nullptr);
  EXPECT_EQ(gpt->def->served_name(), "gpt-4o");
  EXPECT_EQ(gpt->upstream->def->name, "a");
  EXPECT_EQ(rt->find_model("gpt-latest"), gpt);
  EXPECT_EQ(rt->find_model("g"), gpt);
  EXPECT_EQ(rt->find_model("claude")->upstream->def->name, "b");
  EXPECT_EQ(rt->find_model("GPT"), nullptr);  // case-sensitive, as Config::find_model
  EXPECT_EQ(rt->find_model("gp"), nullptr);
  EXPECT_EQ(rt->find_model(""), nullptr);
  EXPECT_EQ(rt->passthrough_upstream(), nullptr);
}

TEST(Runtime, TablesPointIntoTheirOwnConfig) {
  auto rt = build_ok(kTwoUpstreams);
  const RuntimeModel* claude = rt->find_model("claude");
  EXPECT_EQ(claude->def, &rt->config().models[1]);
  EXPECT_EQ(claude->upstream->def, &rt->config().upstreams[1]);
  EXPECT_EQ(rt->find_upstream(claude->upstream->id), claude->upstream);
  EXPECT_EQ(rt->find_upstream(12345), nullptr);
  EXPECT_EQ(claude->upstream->authority, "127.0.0.1:9002");
}

TEST(Runtime, PassthroughGoesToTheOnlyUpstream) {
  ConfigError err;
  auto quick = quick_config("127.0.0.1:0", "http://127.0.0.1:9001/v1", "", "", 1, err);
  ASSERT_TRUE(quick) << err.message;
  std::string e;
  auto rt = Runtime::build(*quick, e);
  ASSERT_TRUE(rt) << e;
  ASSERT_NE(rt->passthrough_upstream(), nullptr);
  EXPECT_EQ(rt->passthrough_upstream()->def->url, "http://127.0.0.1:9001/v1");
}

TEST(Runtime, RefusesAModelWithAnUnknownUpstream) {
  // The loader refuses this first; the tables check it again because they hold pointers.
  Config c = load_ok(kTwoUpstreams);
  c.models[0].upstream = "nowhere";
  std::string err;
  EXPECT_EQ(Runtime::build(c, err), nullptr);
  EXPECT_NE(err.find("unknown upstream nowhere"), std::string::npos) << err;
}

TEST(Runtime, RefusesUpstreamsWithTheSameId) {
  Config c = load_ok(kTwoUpstreams);
  c.upstreams[1] = c.upstreams[0];
  c.models[1].upstream = "a";
  std::string err;
  EXPECT_EQ(Runtime::build(c, err), nullptr);
  EXPECT_NE(err.find("same id"), std::string::npos) << err;
}

// A namespaced registry: two deployments of different formats behind one model, a fallback
// chain, and a shorthand model next to them.
constexpr std::string_view kRegistry = R"(
[[upstreams]]
name = "a"
url = "http://127.0.0.1:9001/v1"

[[upstreams]]
name = "b"
url = "http://127.0.0.1:9002/v1"
format = "anthropic"

[[deployments]]
name = "oai-east"
upstream = "a"
model = "gpt-4o-2024-11-20"
weight = 3
price = { input_per_mtok = 2.50, output_per_mtok = 10.00 }

[[deployments]]
name = "ant-west"
upstream = "b"
model = "claude-sonnet-4-5"

[[models]]
name = "openai/gpt-4o"
aliases = ["gpt-4o"]
deployments = ["oai-east", "ant-west"]
fallbacks = ["anthropic/claude"]
price = { input_per_mtok = 5, output_per_mtok = 15 }
max_tokens_cap = 8000

[[models]]
name = "anthropic/claude"
deployments = ["ant-west"]
fallbacks = ["local/llama3"]

[[models]]
name = "local/llama3"
upstream = "a"
upstream_model = "llama3:8b"
)";

// seed-defect: 002-7
// seed-defect: 004-P5
TEST(RuntimeRegistry, NamespacedNamesMatchExactlyAndNothingElse) {
  auto rt = build_ok(kRegistry);
  const RuntimeModel* gpt = rt->find_model("openai/gpt-4o");
  ASSERT_NE(gpt, nullptr);
  EXPECT_EQ(rt->find_model("gpt-4o"), gpt);  // an explicit alias
  for (std::string_view near : {"GPT-4o", "gpt-4o ", " gpt-4o", "gpt-4o-mini", "gpt-4",
                                "OpenAI/gpt-4o", "openai/gpt-4o-2024-11-20", "gpt-4o-2024-11-20",
                                "claude", "llama3", "openai/", "oai-east"}) {
    EXPECT_EQ(rt->find_model(near), nullptr) << "'" << near << "' must not match";
  }
}

TEST(RuntimeRegistry, ModelsListTheirDeploymentsAndFallbackChain) {
  auto rt = build_ok(kRegistry);
  const RuntimeModel* gpt = rt->find_model("openai/gpt-4o");
  ASSERT_EQ(gpt->deployments.size(), 2u);
  EXPECT_EQ(gpt->deployments[0]->def->name, "oai-east");
  EXPECT_EQ(gpt->deployments[0]->upstream->def->format, ApiFormat::kOpenAi);
  EXPECT_EQ(gpt->deployments[1]->def->name, "ant-west");
  EXPECT_EQ(gpt->deployments[1]->upstream->def->format, ApiFormat::kAnthropic);
  EXPECT_EQ(gpt->upstream, gpt->deployments[0]->upstream);
  // Depth first: claude, then claude's own fallback.
  ASSERT_EQ(gpt->fallbacks.size(), 2u);
  EXPECT_EQ(gpt->fallbacks[0]->def->name, "anthropic/claude");
  EXPECT_EQ(gpt->fallbacks[1]->def->name, "local/llama3");
  // The same deployment behind two models is one entry, one id, one routing state.
  EXPECT_EQ(rt->find_model("anthropic/claude")->deployments[0], gpt->deployments[1]);
  EXPECT_EQ(rt->find_deployment(gpt->deployments[1]->id), gpt->deployments[1]);
  EXPECT_EQ(rt->find_deployment(42), nullptr);
}

TEST(RuntimeRegistry, ShorthandModelImpliesOneDeployment) {
  auto rt = build_ok(kRegistry);
  const RuntimeModel* llama = rt->find_model("local/llama3");
  ASSERT_EQ(llama->deployments.size(), 1u);
  const RuntimeDeployment& d = *llama->deployments[0];
  EXPECT_TRUE(d.implicit);
  EXPECT_EQ(d.def->name, "local/llama3");
  EXPECT_EQ(d.def->model, "llama3:8b");
  EXPECT_EQ(d.def->weight, 1u);
  EXPECT_EQ(d.def->ttfb_ms, rt->config().timeouts.upstream_ttfb_ms);
  EXPECT_FALSE(d.def->price.set);
  ASSERT_EQ(d.keys.size(), 1u);  // the upstream's key: none here
  EXPECT_TRUE(d.keys[0].empty());
  EXPECT_TRUE(llama->fallbacks.empty());
}

// seed-defect: 002-8
TEST(RuntimeRegistry, OneEntryHoldsTheModelsLimitsForEveryDeployment) {
  auto rt = build_ok(kRegistry);
  const RuntimeModel* gpt = rt->find_model("openai/gpt-4o");
  // Limits and context live on the model entry the alias resolves to, not per deployment or per
  // name: both names see the same values because they see the same entry.
  EXPECT_EQ(rt->find_model("gpt-4o")->def, gpt->def);
  EXPECT_EQ(gpt->def->max_tokens_cap, 8000);
  EXPECT_EQ(gpt->def->price.input_per_mtok_micros, 5'000'000);
  // A deployment's own price overrides the model's for requests it serves; others keep it.
  EXPECT_EQ(gpt->deployments[0]->def->price.input_per_mtok_micros, 2'500'000);
  EXPECT_FALSE(gpt->deployments[1]->def->price.set);
}

TEST(RuntimeRegistry, ReservationPriceIsTheDearestPlaceTheRequestMayEnd) {
  auto rt = build_ok(kRegistry);
  // openai/gpt-4o: oai-east's own 2.50/10, ant-west at the model's 5/15, fallbacks unpriced.
  const Price& p = rt->find_model("openai/gpt-4o")->reserve_price;
  EXPECT_TRUE(p.set);
  EXPECT_EQ(p.input_per_mtok_micros, 5'000'000);
  EXPECT_EQ(p.output_per_mtok_micros, 15'000'000);
  EXPECT_FALSE(rt->find_model("anthropic/claude")->reserve_price.set);
  auto priced =
      build_ok(replace(std::string(kRegistry),
                       "weight = 3\nprice = { input_per_mtok = 2.50, output_per_mtok = 10.00 }",
                       "weight = 3\nprice = { input_per_mtok = 1, output_per_mtok = 40 }"));
  const Price& q = priced->find_model("openai/gpt-4o")->reserve_price;
  EXPECT_EQ(q.input_per_mtok_micros, 5'000'000);    // the model's, on ant-west
  EXPECT_EQ(q.output_per_mtok_micros, 40'000'000);  // oai-east's own
}

TEST(RuntimeRegistry, DeploymentIdsAreStableAndTellImplicitFromExplicit) {
  auto a = build_ok(kRegistry);
  auto b = build_ok(kRegistry);
  ASSERT_EQ(a->deployments().size(), b->deployments().size());
  for (size_t i = 0; i < a->deployments().size(); ++i) {
    EXPECT_EQ(a->deployments()[i].id, b->deployments()[i].id);
  }
  auto moved = build_ok(replace(std::string(kRegistry), "claude-sonnet-4-5", "claude-opus-4"));
  EXPECT_NE(moved->find_model("anthropic/claude")->deployments[0]->id,
            a->find_model("anthropic/claude")->deployments[0]->id);
  EXPECT_EQ(moved->find_model("local/llama3")->deployments[0]->id,
            a->find_model("local/llama3")->deployments[0]->id);
}

TEST(RuntimeRegistry, DeploymentKeysOrTheUpstreamsKey) {
  ScopedEnv k1("RG_RT_KEY_1", "sk-one");
  ScopedEnv k2("RG_RT_KEY_2", "sk-two");
  ScopedEnv up("RG_RT_UP", "sk-up");
  auto rt = build_ok(R"(
[[upstreams]]
name = "a"
url = "http://127.0.0.1:9001/v1"
api_key = "env:RG_RT_UP"

[[deployments]]
name = "pool"
upstream = "a"
model = "x"
keys = ["env:RG_RT_KEY_1", "env:RG_RT_KEY_2"]

[[deployments]]
name = "plain"
upstream = "a"
model = "x"

[[models]]
name = "m"
deployments = ["pool", "plain"]
)");
  const RuntimeModel* m = rt->find_model("m");
  EXPECT_EQ(m->deployments[0]->keys, (std::vector<std::string_view>{"sk-one", "sk-two"}));
  EXPECT_EQ(m->deployments[1]->keys, std::vector<std::string_view>{"sk-up"});
}

}  // namespace
}  // namespace ringgate::config
