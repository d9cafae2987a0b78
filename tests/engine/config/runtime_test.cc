// Runtime tables: stable upstream ids, model lookup by name and alias, passthrough.
#include "engine/config/runtime.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

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

}  // namespace
}  // namespace ringgate::config
