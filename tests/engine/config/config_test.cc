// Loader and validation: every error names file:line:column of the key or value at fault.
#include "engine/config/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::load_error;
using testing::open_access;
using testing::ScopedEnv;
using testing::TempDir;

using testing::kRouting;
using testing::with_routing;

Config load_ok(std::string_view toml) {
  ConfigError err;
  auto config = load_config_string(open_access(toml), "t.toml", err);
  EXPECT_TRUE(config.has_value()) << err.message;
  return config ? *config : Config{};
}

TEST(ConfigLoad, MinimalConfigKeepsDefaults) {
  Config c = load_ok(kRouting);
  Config defaults;
  EXPECT_EQ(c.server.listen_host, "127.0.0.1");
  EXPECT_EQ(c.server.listen_port, 8080);
  EXPECT_EQ(c.server.shards, 0u);
  EXPECT_EQ(c.server.max_body_bytes, size_t{4} << 20);
  EXPECT_EQ(c.server.max_upload_bytes, size_t{32} << 20);
  EXPECT_EQ(c.server.max_sse_event_bytes, size_t{1} << 20);
  EXPECT_EQ(c.timeouts.header_read_ms, defaults.timeouts.header_read_ms);
  EXPECT_EQ(c.timeouts.total_ms, defaults.timeouts.total_ms);
  EXPECT_FALSE(c.passthrough);
  EXPECT_EQ(c.source_path, "t.toml");
  ASSERT_EQ(c.upstreams.size(), 1u);
  EXPECT_EQ(c.upstreams[0].name, "mock");
  EXPECT_EQ(c.upstreams[0].format, ApiFormat::kOpenAi);
  EXPECT_EQ(c.upstreams[0].parsed.host, "127.0.0.1");
  EXPECT_EQ(c.upstreams[0].parsed.port, 9099);
  EXPECT_EQ(c.upstreams[0].parsed.base_path, "/v1");
  EXPECT_FALSE(c.upstreams[0].parsed.tls);
  EXPECT_TRUE(c.upstreams[0].api_key.empty());
  ASSERT_EQ(c.models.size(), 1u);
  EXPECT_EQ(c.models[0].served_name(), "m");
  EXPECT_EQ(c.models[0].max_tokens_cap, 0);
  EXPECT_EQ(c.models[0].default_max_tokens, 4096);
}

TEST(ConfigLoad, EveryKeyIsRead) {
  Config c = load_ok(R"(
[server]
listen = "[::1]:9000"
shards = 3
max_body_bytes = 1000
max_upload_bytes = 3000
max_head_bytes = 2048
max_headers = 10
max_response_bytes = 5000
max_sse_event_bytes = 4096
max_connections = 7
max_pooled_buffer_bytes = 65536

[timeouts]
header_read_ms = 1
body_read_ms = 2
keepalive_idle_ms = 3
upstream_connect_ms = 4
upstream_ttfb_ms = 5
stream_idle_ms = 6
total_ms = 7

[[upstreams]]
name = "a"
url = "https://api.example.com/v1/"
format = "anthropic"
tls_verify = false
max_connections = 10
max_idle = 4
queue_depth = 3
queue_timeout_ms = 250

[[models]]
name = "big"
aliases = ["large", "l"]
upstream = "a"
upstream_model = "big-2024"
max_tokens_cap = 100
default_max_tokens = 50
)");
  EXPECT_EQ(c.server.listen_host, "::1");
  EXPECT_EQ(c.server.listen_port, 9000);
  EXPECT_EQ(c.server.shards, 3u);
  EXPECT_EQ(c.server.max_body_bytes, 1000u);
  EXPECT_EQ(c.server.max_upload_bytes, 3000u);
  EXPECT_EQ(c.server.max_head_bytes, 2048u);
  EXPECT_EQ(c.server.max_headers, 10u);
  EXPECT_EQ(c.server.max_response_bytes, 5000u);
  EXPECT_EQ(c.server.max_sse_event_bytes, 4096u);
  EXPECT_EQ(c.server.max_connections, 7u);
  EXPECT_EQ(c.server.max_pooled_buffer_bytes, 65536u);
  EXPECT_EQ(c.timeouts.header_read_ms, 1u);
  EXPECT_EQ(c.timeouts.body_read_ms, 2u);
  EXPECT_EQ(c.timeouts.keepalive_idle_ms, 3u);
  EXPECT_EQ(c.timeouts.upstream_connect_ms, 4u);
  EXPECT_EQ(c.timeouts.upstream_ttfb_ms, 5u);
  EXPECT_EQ(c.timeouts.stream_idle_ms, 6u);
  EXPECT_EQ(c.timeouts.total_ms, 7u);
  const Upstream& u = c.upstreams.at(0);
  EXPECT_EQ(u.url, "https://api.example.com/v1/");
  EXPECT_TRUE(u.parsed.tls);
  EXPECT_EQ(u.parsed.port, 443);
  EXPECT_EQ(u.parsed.base_path, "/v1");
  EXPECT_EQ(u.format, ApiFormat::kAnthropic);
  EXPECT_FALSE(u.tls_verify);
  EXPECT_EQ(u.max_connections, 10u);
  EXPECT_EQ(u.max_idle, 4u);
  EXPECT_EQ(u.queue_depth, 3u);
  EXPECT_EQ(u.queue_timeout_ms, 250u);
  const Model& m = c.models.at(0);
  EXPECT_EQ(m.aliases, (std::vector<std::string>{"large", "l"}));
  EXPECT_EQ(m.served_name(), "big-2024");
  EXPECT_EQ(m.max_tokens_cap, 100);
  EXPECT_EQ(m.default_max_tokens, 50);
}

TEST(ConfigLoad, DefaultMaxTokensYieldsToALowerCap) {
  Config c = load_ok(R"(
[[upstreams]]
name = "mock"
url = "http://127.0.0.1:9099"
[[models]]
name = "small"
upstream = "mock"
max_tokens_cap = 1000
)");
  EXPECT_EQ(c.models.at(0).default_max_tokens, 1000);
}

// seed-defect: 002-7
// seed-defect: 004-P5
TEST(ConfigModelLookup, ExactCaseSensitiveNamesAndAliases) {
  Config c = load_ok(R"(
[[upstreams]]
name = "mock"
url = "http://127.0.0.1:9099/v1"
[[models]]
name = "gpt-4o-mini"
aliases = ["fast"]
upstream = "mock"
[[models]]
name = "claude-sonnet-4-5"
upstream = "mock"
)");
  ASSERT_NE(c.find_model("gpt-4o-mini"), nullptr);
  EXPECT_EQ(c.find_model("fast"), c.find_model("gpt-4o-mini"));
  EXPECT_EQ(c.find_model("claude-sonnet-4-5")->name, "claude-sonnet-4-5");
  EXPECT_EQ(c.find_model("GPT-4o-mini"), nullptr);
  EXPECT_EQ(c.find_model("gpt-4o-mini "), nullptr);
  EXPECT_EQ(c.find_model("gpt-4o-mini-2024-07-18"), nullptr);
  EXPECT_EQ(c.find_model("Fast"), nullptr);
  EXPECT_EQ(c.find_model(""), nullptr);
  EXPECT_EQ(c.find_upstream("mock"), &c.upstreams[0]);
  EXPECT_EQ(c.find_upstream("Mock"), nullptr);
}

TEST(ConfigErrors, TomlSyntaxErrorHasPosition) {
  std::string e = load_error("[server]\nlisten = \"127.0.0.1:8080\nshards = 1\n");
  // toml++ points at the line break that ends the unterminated string.
  EXPECT_TRUE(e.starts_with("t.toml:2:25: ")) << e;
  EXPECT_GT(e.size(), std::string("t.toml:2:25: ").size());
}

TEST(ConfigErrors, UnknownTopLevelKeySuggestsTheKnownOne) {
  EXPECT_EQ(load_error(with_routing("servr = 1\n")),
            "t.toml:1:1: unknown key 'servr' (did you mean 'server'?)");
}

TEST(ConfigErrors, MisspelledKeyInATableSuggestsTheKnownOne) {
  EXPECT_EQ(load_error(with_routing("[server]\n  max_body_byte = 5\n")),
            "t.toml:2:3: unknown key 'server.max_body_byte' (did you mean "
            "'server.max_body_bytes'?)");
}

TEST(ConfigErrors, UnrelatedUnknownKeyListsTheKnownOnes) {
  EXPECT_EQ(load_error(with_routing("[timeouts]\nretries = 3\n")),
            "t.toml:2:1: unknown key 'timeouts.retries' (expected one of: header_read_ms, "
            "body_read_ms, keepalive_idle_ms, upstream_connect_ms, upstream_ttfb_ms, "
            "stream_idle_ms, total_ms, sse_heartbeat_ms)");
}

TEST(ConfigErrors, UnknownKeyInUpstreamAndModel) {
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "mock"
url = "http://127.0.0.1:9099/v1"
apikey = "env:X"
[[models]]
name = "m"
upstream = "mock"
max_token_cap = 5
)"),
            "t.toml:4:1: unknown key 'upstreams[0].apikey' (did you mean 'upstreams[0].api_key'?)\n"
            "t.toml:8:1: unknown key 'models[0].max_token_cap' (did you mean "
            "'models[0].max_tokens_cap'?)");
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(load_error(with_routing("[server]\nshards = \"4\"\n")),
            "t.toml:2:10: server.shards must be an integer, not a string");
  EXPECT_EQ(load_error(with_routing("[server]\nlisten = 8080\n")),
            "t.toml:2:10: server.listen must be a string, not an integer");
  EXPECT_EQ(load_error(with_routing("[timeouts]\ntotal_ms = 1.5\n")),
            "t.toml:2:12: timeouts.total_ms must be an integer, not a float");
  EXPECT_EQ(load_error(with_routing("server = 5\n")),
            "t.toml:1:10: server must be a table, not an integer");
  EXPECT_EQ(load_error(with_routing("passthrough = \"yes\"\n")),
            "t.toml:1:15: passthrough must be a boolean, not a string");
}

TEST(ConfigErrors, ShardsAtMost1024) {
  EXPECT_EQ(load_error(with_routing("[server]\nshards = 1025\n")),
            "t.toml:2:10: server.shards must be between 0 and 1024, not 1025");
  EXPECT_EQ(load_error(with_routing("[server]\nshards = -1\n")),
            "t.toml:2:10: server.shards must be between 0 and 1024, not -1");
  EXPECT_EQ(load_ok(with_routing("[server]\nshards = 1024\n")).server.shards, 1024u);
}

TEST(ConfigErrors, ServerLimitsInRange) {
  EXPECT_EQ(load_error(with_routing("[server]\nmax_body_bytes = 0\n")),
            "t.toml:2:18: server.max_body_bytes must be between 1 and 1073741824, not 0");
  EXPECT_EQ(load_error(with_routing("[server]\nmax_head_bytes = 100\n")),
            "t.toml:2:18: server.max_head_bytes must be between 1024 and 1048576, not 100");
  EXPECT_EQ(load_error(with_routing("[server]\nmax_connections = 0\n")),
            "t.toml:2:19: server.max_connections must be between 1 and 1000000, not 0");
  EXPECT_EQ(load_error(with_routing("[server]\nmax_pooled_buffer_bytes = -1\n")),
            "t.toml:2:27: server.max_pooled_buffer_bytes must be between 0 and 1073741824, not -1");
  // 0 is allowed: pool nothing.
  EXPECT_EQ(load_ok(with_routing("[server]\nmax_pooled_buffer_bytes = 0\n"))
                .server.max_pooled_buffer_bytes,
            0u);
  // The default stays within 16 MiB per shard (a burst must not stay resident).
  EXPECT_LE(Server{}.max_pooled_buffer_bytes, size_t{16} << 20);
}

// An SSE event cap below a few KiB would cut ordinary events; above 1 GiB it bounds nothing.
TEST(ConfigErrors, SseEventCapInRange) {
  EXPECT_EQ(load_error(with_routing("[server]\nmax_sse_event_bytes = 100\n")),
            "t.toml:2:23: server.max_sse_event_bytes must be between 4096 and 1073741824, not 100");
  EXPECT_EQ(load_error(with_routing("[server]\nmax_sse_event_bytes = 1073741825\n")),
            "t.toml:2:23: server.max_sse_event_bytes must be between 4096 and 1073741824, not "
            "1073741825");
  EXPECT_EQ(
      load_ok(with_routing("[server]\nmax_sse_event_bytes = 4096\n")).server.max_sse_event_bytes,
      4096u);
}

TEST(ConfigErrors, ListenAddress) {
  EXPECT_EQ(load_error(with_routing("[server]\nlisten = \"127.0.0.1\"\n")),
            "t.toml:2:10: server.listen: listen address needs a port (expected \"IPv4:PORT\", "
            "\"[IPv6]:PORT\" or \"localhost:PORT\")");
  EXPECT_EQ(load_error(with_routing("[server]\nlisten = \"127.0.0.1:70000\"\n")),
            "t.toml:2:10: server.listen: listen port must be a number from 0 to 65535");
  EXPECT_EQ(load_error(with_routing("[server]\nlisten = \"127.0.0.1:x1\"\n")),
            "t.toml:2:10: server.listen: listen port must be a number from 0 to 65535");
  EXPECT_EQ(load_error(with_routing("[server]\nlisten = \"gateway.example:80\"\n")),
            "t.toml:2:10: server.listen: listen host must be an IP address or localhost "
            "(expected \"IPv4:PORT\", \"[IPv6]:PORT\" or \"localhost:PORT\")");
  EXPECT_EQ(load_error(with_routing("[server]\nlisten = \"[::g]:80\"\n")),
            "t.toml:2:10: server.listen: listen address has an invalid IPv6 address");
  Config c = load_ok(with_routing("[server]\nlisten = \"localhost:9000\"\n"));
  EXPECT_EQ(c.server.listen_host, "127.0.0.1");
  EXPECT_EQ(c.server.listen_port, 9000);
}

TEST(ConfigErrors, TimeoutsMustBePositive) {
  EXPECT_EQ(load_error(with_routing("[timeouts]\nheader_read_ms = 0\n")),
            "t.toml:2:18: timeouts.header_read_ms must be between 1 and 86400000, not 0");
  EXPECT_EQ(load_error(with_routing("[timeouts]\nstream_idle_ms = -5\n")),
            "t.toml:2:18: timeouts.stream_idle_ms must be between 1 and 86400000, not -5");
}

// seed-defect: 004-P12
TEST(ConfigErrors, UpstreamUrlIsCheckedAtItsValue) {
  auto url_error = [](std::string_view url) {
    return load_error("[[upstreams]]\nname = \"u\"\nurl = \"" + std::string(url) +
                      "\"\n[[models]]\nname = \"m\"\nupstream = \"u\"\n");
  };
  EXPECT_EQ(url_error("ftp://127.0.0.1/v1"),
            "t.toml:3:7: upstreams[0].url: URL scheme must be http or https");
  EXPECT_EQ(url_error("http:///v1"), "t.toml:3:7: upstreams[0].url: URL must name a host");
  EXPECT_EQ(url_error("http://127.0.0.1:9099/v1?x=1"),
            "t.toml:3:7: upstreams[0].url: URL must not have a query string or fragment");
  EXPECT_EQ(url_error("http://127.0.0.1:9099/v1#frag"),
            "t.toml:3:7: upstreams[0].url: URL must not have a query string or fragment");
  EXPECT_EQ(url_error("http://169.254.169.254/latest"),
            "t.toml:3:7: upstreams[0].url: URL host is a link-local, metadata or non-unicast "
            "address, which upstreams may not use");
  EXPECT_EQ(url_error("http://metadata.google.internal/v1"),
            "t.toml:3:7: upstreams[0].url: URL host is a cloud metadata service name, which "
            "upstreams may not use");
  EXPECT_EQ(url_error("http://127.0.0.1:0/v1"),
            "t.toml:3:7: upstreams[0].url: URL port must be a number from 1 to 65535");
}

// seed-defect: 004-P4
TEST(ConfigErrors, UrlCredentialsAreRefusedWithoutEchoingThem) {
  std::string e = load_error(
      "[[upstreams]]\nname = \"u\"\nurl = \"https://admin:hunter2@api.example.com/v1\"\n"
      "[[models]]\nname = \"m\"\nupstream = \"u\"\n");
  EXPECT_EQ(e,
            "t.toml:3:7: upstreams[0].url: URL must not contain credentials (user@host); use "
            "api_key = \"env:NAME\"");
  EXPECT_EQ(e.find("hunter2"), std::string::npos);
}

TEST(ConfigErrors, UpstreamQueue) {
  const std::string base = "[[upstreams]]\nname = \"u\"\nurl = \"http://127.0.0.1:9099\"\n";
  const std::string model = "[[models]]\nname = \"m\"\nupstream = \"u\"\n";
  EXPECT_EQ(load_error(base + "queue_timeout_ms = 0\n" + model),
            "t.toml:4:20: upstreams[0].queue_timeout_ms must be between 1 and 86400000, not 0");
  EXPECT_EQ(load_error(base + "queue_depth = -1\n" + model),
            "t.toml:4:15: upstreams[0].queue_depth must be between 0 and 1000000, not -1");
  EXPECT_EQ(load_ok(base + "queue_depth = 0\n" + model).upstreams[0].queue_depth, 0u);
  // The defaults carry 1000 concurrent streams per shard to one upstream without a 503.
  const Upstream d = load_ok(base + model).upstreams[0];
  EXPECT_EQ(d.max_connections, 1024u);
  EXPECT_EQ(d.queue_depth, 1024u);
  EXPECT_EQ(d.queue_timeout_ms, 5000u);
}

TEST(ConfigErrors, UpstreamFields) {
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "u"
url = "http://127.0.0.1:9099"
format = "gemini"
[[models]]
name = "m"
upstream = "u"
)"),
            "t.toml:4:10: upstreams[0].format must be \"openai\", \"anthropic\" or \"azure\"");
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "u"
url = "http://127.0.0.1:9099"
max_connections = 4
max_idle = 5
[[models]]
name = "m"
upstream = "u"
)"),
            "t.toml:5:12: upstreams[0].max_idle (5) exceeds max_connections (4)");
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "u"
url = "http://127.0.0.1:9099"
tls_verify = false
[[models]]
name = "m"
upstream = "u"
)"),
            "t.toml:4:14: upstreams[0].tls_verify applies only to https upstreams");
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "bad name"
url = "http://127.0.0.1:9099"
[[models]]
name = "m"
upstream = "bad name"
)"),
            "t.toml:2:8: upstreams[0].name must be 1-64 characters from letters, digits, '-', "
            "'_' and '.'");
}

TEST(ConfigErrors, CaFileMustBeReadable) {
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "u"
url = "https://127.0.0.1:9099"
ca_file = "/nonexistent/ringgate-ca.pem"
[[models]]
name = "m"
upstream = "u"
)"),
            "t.toml:4:11: upstreams[0].ca_file: cannot read CA file /nonexistent/ringgate-ca.pem");
}

TEST(ConfigErrors, MissingRequiredKeysPointAtTheTable) {
  EXPECT_EQ(load_error(R"([[models]]
name = "m"
upstream = "u"

  [[upstreams]]
name = "u"
)"),
            "t.toml:5:3: upstreams[0] is missing required key 'url'");
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "u"
url = "http://127.0.0.1:9099"
[[models]]
upstream = "u"
)"),
            "t.toml:4:1: models[0] is missing required key 'name'");
}

TEST(ConfigErrors, UpstreamsMustBeAnArrayOfTables) {
  EXPECT_EQ(load_error(R"([upstreams]
name = "u"
)"),
            "t.toml:1:1: upstreams must be an array of tables: write [[upstreams]] for each entry\n"
            "t.toml:1:1: no upstreams configured: add an [[upstreams]] table\n"
            "t.toml:1:1: no models configured: add a [[models]] table (or set passthrough = true)");
  EXPECT_EQ(load_error("upstreams = [1]\n"),
            "t.toml:1:1: no upstreams configured: add an [[upstreams]] table\n"
            "t.toml:1:1: no models configured: add a [[models]] table (or set passthrough = true)\n"
            "t.toml:1:14: upstreams[0] must be a table, not an integer");
}

TEST(ConfigErrors, ReportIsBoundedButSaysHowManyMore) {
  std::string toml;
  for (int i = 1; i <= 60; ++i) toml += "zz" + std::to_string(i) + " = 1\n";
  std::string e = load_error(toml + std::string(kRouting));
  size_t lines = std::count(e.begin(), e.end(), '\n') + 1;
  EXPECT_EQ(lines, 51u) << e;
  EXPECT_TRUE(e.starts_with("t.toml:1:1: unknown key 'zz1'")) << e;
  EXPECT_TRUE(e.ends_with("\nt.toml:51:1: and 10 more problems from here on")) << e;
}

TEST(ConfigErrors, ControlCharactersInNamesAreEscaped) {
  EXPECT_EQ(load_error(with_routing("\"bad\\nkey\" = 1\n")),
            "t.toml:1:1: unknown key 'bad\\nkey' (expected one of: server, timeouts, passthrough, "
            "translation, responses_store, cache, cluster, upstreams, deployments, models, auth, byok, "
            "teams, keys, "
            "anonymous, cors, alerts, ledger, log, metrics)");
}

// [translation] gives every [[models]] entry its defaults; an entry may set its own.
TEST(ConfigLoad, TranslationDefaultsAndPerModelReasoningAndPolicy) {
  Config plain = load_ok(kRouting);
  EXPECT_FALSE(plain.translation.reasoning);
  EXPECT_EQ(plain.translation.unsupported_fields, UnsupportedFields::kDrop);
  EXPECT_FALSE(plain.models[0].reasoning);
  EXPECT_EQ(plain.models[0].unsupported_fields, UnsupportedFields::kDrop);

  Config c = load_ok(R"(
[translation]
unsupported_fields = "refuse"

[[upstreams]]
name = "mock"
url = "http://127.0.0.1:9099/v1"

[[models]]
name = "o3"
upstream = "mock"
reasoning = true

[[models]]
name = "lenient"
upstream = "mock"
unsupported_fields = "drop"
)");
  EXPECT_EQ(c.translation.unsupported_fields, UnsupportedFields::kRefuse);
  EXPECT_TRUE(c.models[0].reasoning);
  EXPECT_EQ(c.models[0].unsupported_fields, UnsupportedFields::kRefuse);
  EXPECT_FALSE(c.models[1].reasoning);
  EXPECT_EQ(c.models[1].unsupported_fields, UnsupportedFields::kDrop);
  const std::string d = describe(c);
  EXPECT_NE(d.find("model o3 -> mock max_tokens_cap=none default_max_tokens=4096 reasoning "
                   "unsupported_fields=refuse\n"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("translation defaults: reasoning=off unsupported_fields=refuse\n"),
            std::string::npos)
      << d;
}

TEST(ConfigErrors, TranslationValues) {
  EXPECT_EQ(load_error(with_routing("[translation]\nunsupported_fields = \"ignore\"\n")),
            "t.toml:2:22: translation.unsupported_fields must be \"drop\" or \"refuse\"");
  EXPECT_EQ(load_error(with_routing("[translation]\nreasoning = \"yes\"\n")),
            "t.toml:2:13: translation.reasoning must be a boolean, not a string");
  EXPECT_EQ(load_error(std::string(kRouting) + "reasoning = 1\nunsupported_fields = \"Drop\"\n"),
            "t.toml:9:13: models[0].reasoning must be a boolean, not an integer\n"
            "t.toml:10:22: models[0].unsupported_fields must be \"drop\" or \"refuse\"");
}

TEST(ConfigErrors, EmptyConfig) {
  EXPECT_EQ(load_error(""),
            "t.toml:1:1: no upstreams configured: add an [[upstreams]] table\n"
            "t.toml:1:1: no models configured: add a [[models]] table (or set passthrough = true)");
}

TEST(ConfigErrors, DuplicateUpstreamNames) {
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "u"
url = "http://127.0.0.1:9099"
[[upstreams]]
name =  "u"
url = "http://127.0.0.1:9098"
[[models]]
name = "m"
upstream = "u"
)"),
            "t.toml:5:9: duplicate upstream name 'u' (first defined at line 2)");
}

TEST(ConfigErrors, DuplicateAndCaseOnlyModelNames) {
  std::string head = "[[upstreams]]\nname = \"u\"\nurl = \"http://127.0.0.1:9099\"\n";
  EXPECT_EQ(load_error(head + R"([[models]]
name = "m"
upstream = "u"
[[models]]
name = "m"
upstream = "u"
)"),
            "t.toml:8:8: duplicate model name 'm' in models[1].name (already used at line 5)");
  EXPECT_EQ(load_error(head + R"([[models]]
name = "m"
aliases = ["fast"]
upstream = "u"
[[models]]
name = "n"
aliases = ["slow", "fast"]
upstream = "u"
)"),
            "t.toml:10:20: duplicate model name 'fast' in models[1].aliases[1] (already used at "
            "line 6)");
  EXPECT_EQ(load_error(head + R"([[models]]
name = "gpt-4o"
upstream = "u"
[[models]]
name = "GPT-4o"
upstream = "u"
)"),
            "t.toml:8:8: model name 'GPT-4o' in models[1].name differs from 'gpt-4o' (line 5) "
            "only in letter case; names match exactly, so this would be ambiguous");
  EXPECT_EQ(load_error(head + R"([[models]]
name = "m"
aliases = ["m"]
upstream = "u"
)"),
            "t.toml:6:12: duplicate model name 'm' in models[0].aliases[0] (already used at "
            "line 5)");
}

TEST(ConfigErrors, ModelNamesAreValidated) {
  std::string head = "[[upstreams]]\nname = \"u\"\nurl = \"http://127.0.0.1:9099\"\n";
  EXPECT_EQ(load_error(head + "[[models]]\nname = \"gpt 4\"\nupstream = \"u\"\n"),
            "t.toml:5:8: models[0].name must be 1-256 printable ASCII characters without "
            "spaces, quotes or backslashes");
  EXPECT_EQ(
      load_error(head + "[[models]]\nname = \"m\"\naliases = [\"ok\", 3]\nupstream = \"u\"\n"),
      "t.toml:6:18: models[0].aliases[1] must be a string, not an integer");
}

TEST(ConfigErrors, ModelRefersToUnknownUpstream) {
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "mock"
url = "http://127.0.0.1:9099"
[[models]]
name = "m"
upstream = "mokc"
)"),
            "t.toml:6:12: models[0].upstream: no upstream named 'mokc'");
}

TEST(ConfigErrors, MaxTokens) {
  std::string head = "[[upstreams]]\nname = \"u\"\nurl = \"http://127.0.0.1:9099\"\n";
  EXPECT_EQ(load_error(head + "[[models]]\nname = \"m\"\nupstream = \"u\"\nmax_tokens_cap = -1\n"),
            "t.toml:7:18: models[0].max_tokens_cap must be between 0 and 100000000, not -1");
  EXPECT_EQ(
      load_error(head + "[[models]]\nname = \"m\"\nupstream = \"u\"\ndefault_max_tokens = 0\n"),
      "t.toml:7:22: models[0].default_max_tokens must be between 1 and 100000000, not 0");
  EXPECT_EQ(load_error(head + "[[models]]\nname = \"m\"\nupstream = \"u\"\nmax_tokens_cap = 10\n"
                              "default_max_tokens = 20\n"),
            "t.toml:8:22: models[0].default_max_tokens (20) exceeds max_tokens_cap (10)");
}

TEST(ConfigErrors, PassthroughAllowsNoModelsButOnlyOneUpstream) {
  Config c = load_ok(
      "passthrough = true\n[[upstreams]]\nname = \"u\"\nurl = \"http://127.0.0.1:9099/v1\"\n");
  EXPECT_TRUE(c.passthrough);
  EXPECT_TRUE(c.models.empty());
  EXPECT_EQ(load_error(R"(passthrough = true
[[upstreams]]
name = "u"
url = "http://127.0.0.1:9099"
[[upstreams]]
name = "v"
url = "http://127.0.0.1:9098"
)"),
            "t.toml:5:1: passthrough sends every request to the first upstream; configure "
            "exactly one");
}

TEST(ConfigErrors, AllProblemsReportedInFileOrder) {
  EXPECT_EQ(load_error(R"([timeouts]
total_ms = 0
[server]
shards = 2000
listen = "nope"
[[upstreams]]
name = "u"
url = "http://127.0.0.1:9099"
[[models]]
name = "m"
upstream = "x"
)"),
            "t.toml:2:12: timeouts.total_ms must be between 1 and 86400000, not 0\n"
            "t.toml:4:10: server.shards must be between 0 and 1024, not 2000\n"
            "t.toml:5:10: server.listen: listen address needs a port (expected \"IPv4:PORT\", "
            "\"[IPv6]:PORT\" or \"localhost:PORT\")\n"
            "t.toml:11:12: models[0].upstream: no upstream named 'x'");
}

TEST(ConfigFile, ErrorsNameTheFilePath) {
  TempDir dir;
  std::string path =
      dir.write("gw.toml", open_access("[server]\nshards = 5000\n" + std::string(kRouting)));
  ConfigError err;
  EXPECT_FALSE(load_config_file(path, err));
  EXPECT_EQ(err.message, path + ":2:10: server.shards must be between 0 and 1024, not 5000");
}

TEST(ConfigFile, RelativeCaFileIsRelativeToTheConfigFile) {
  TempDir dir;
  dir.write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  std::string path = dir.write("gw.toml", open_access(R"(
[[upstreams]]
name = "u"
url = "https://127.0.0.1:9443/v1"
ca_file = "ca.pem"
[[models]]
name = "m"
upstream = "u"
)"));
  ConfigError err;
  auto c = load_config_file(path, err);
  ASSERT_TRUE(c.has_value()) << err.message;
  EXPECT_EQ(c->upstreams[0].ca_file, dir.path() + "/ca.pem");
}

TEST(ConfigFile, MissingFile) {
  ConfigError err;
  EXPECT_FALSE(load_config_file("/nonexistent/ringgate.toml", err));
  EXPECT_EQ(err.message,
            "/nonexistent/ringgate.toml: cannot open config file: No such file or directory");
}

TEST(ConfigFile, DirectoryIsNotAConfigFile) {
  TempDir dir;
  ConfigError err;
  EXPECT_FALSE(load_config_file(dir.path(), err));
  EXPECT_EQ(err.message, dir.path() + ": config file is not a regular file");
}

// The shipped example must load as is and route the names the README uses.
TEST(ConfigFile, ExampleConfigLoads) {
  ConfigError err;
  auto c = load_config_file(RINGGATE_SOURCE_DIR "/ringgate.example.toml", err);
  ASSERT_TRUE(c.has_value()) << err.message;
  EXPECT_EQ(c->admission.mode, AuthMode::kNone);  // its listener is loopback
  EXPECT_EQ(c->ledger.path, RINGGATE_SOURCE_DIR "/ringgate-ledger.db");
  const Model* openai = c->find_model("gpt-4o-mini");
  ASSERT_NE(openai, nullptr);
  EXPECT_EQ(c->find_model("fast"), openai);
  const Upstream* openai_up = c->find_upstream(openai->upstream);
  ASSERT_NE(openai_up, nullptr);
  EXPECT_EQ(openai_up->format, ApiFormat::kOpenAi);
  const Model* claude = c->find_model("claude-sonnet-4-5");
  ASSERT_NE(claude, nullptr);
  const Upstream* claude_up = c->find_upstream(claude->upstream);
  ASSERT_NE(claude_up, nullptr);
  EXPECT_EQ(claude_up->format, ApiFormat::kAnthropic);
  for (const Upstream& u : c->upstreams) {
    EXPECT_EQ(u.parsed.host, "127.0.0.1");
    EXPECT_EQ(u.parsed.port, 9099);
    EXPECT_TRUE(u.api_key_ref.empty()) << "the example must run without keys";
  }
}

TEST(ConfigDescribe, SummarisesTheConfig) {
  Config c = load_ok(R"(
[server]
listen = "[::1]:9000"
shards = 2
[[upstreams]]
name = "mock"
url = "https://127.0.0.1:9099/v1"
tls_verify = false
[[models]]
name = "m"
aliases = ["a", "b"]
upstream = "mock"
upstream_model = "m-1"
max_tokens_cap = 100
)");
  std::string d = describe(c);
  EXPECT_NE(d.find("config: t.toml\n"), std::string::npos) << d;
  EXPECT_NE(d.find("listen: [::1]:9000, shards: 2\n"), std::string::npos) << d;
  EXPECT_NE(d.find("upstream mock: https://127.0.0.1:9099/v1 format=openai key=none"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("tls_verify=OFF"), std::string::npos) << d;
  EXPECT_NE(
      d.find("model m -> mock as m-1 aliases=a,b max_tokens_cap=100 default_max_tokens=100\n"),
      std::string::npos)
      << d;
}

}  // namespace
}  // namespace ringgate::config
