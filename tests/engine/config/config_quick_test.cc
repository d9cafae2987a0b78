// Quick mode: the whole config from serve's flags, under the same rules as a file.
#include <gtest/gtest.h>

#include <string>

#include "engine/config/config.h"
#include "engine/config/key_material.h"
#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::ScopedEnv;

std::string quick_error(std::string_view listen, std::string_view url, std::string_view key,
                        std::string_view format, unsigned shards) {
  ConfigError err;
  EXPECT_FALSE(quick_config(listen, url, key, format, shards, err).has_value());
  return err.message;
}

TEST(QuickConfig, OneUpstreamInPassthrough) {
  ScopedEnv env("RINGGATE_TEST_QUICK_KEY", "quick-secret-value-123");
  ConfigError err;
  auto c = quick_config("127.0.0.1:8081", "http://127.0.0.1:9099/v1", "env:RINGGATE_TEST_QUICK_KEY",
                        "openai", 2, err);
  ASSERT_TRUE(c.has_value()) << err.message;
  EXPECT_TRUE(c->passthrough);
  EXPECT_EQ(c->server.listen_host, "127.0.0.1");
  EXPECT_EQ(c->server.listen_port, 8081);
  EXPECT_EQ(c->server.shards, 2u);
  ASSERT_EQ(c->upstreams.size(), 1u);
  const Upstream& u = c->upstreams[0];
  EXPECT_EQ(u.parsed.host, "127.0.0.1");
  EXPECT_EQ(u.parsed.port, 9099);
  EXPECT_EQ(u.parsed.base_path, "/v1");
  EXPECT_EQ(u.format, ApiFormat::kOpenAi);
  EXPECT_EQ(u.api_key, "quick-secret-value-123");
  EXPECT_TRUE(c->models.empty());
  EXPECT_EQ(c->timeouts.total_ms, Timeouts{}.total_ms);
  std::string d = describe(*c);
  EXPECT_EQ(d.find("quick-secret-value-123"), std::string::npos) << d;
  EXPECT_NE(d.find("passthrough: every model and /v1/* path goes to upstream upstream"),
            std::string::npos)
      << d;
}

TEST(QuickConfig, KeyAndFormatAreOptional) {
  ConfigError err;
  auto c = quick_config("[::1]:8080", "https://api.example.com", "", "", 0, err);
  ASSERT_TRUE(c.has_value()) << err.message;
  EXPECT_EQ(c->server.listen_host, "::1");
  EXPECT_EQ(c->upstreams[0].format, ApiFormat::kOpenAi);
  EXPECT_TRUE(c->upstreams[0].api_key.empty());
  EXPECT_TRUE(c->upstreams[0].parsed.tls);
  EXPECT_EQ(c->upstreams[0].parsed.port, 443);
  EXPECT_EQ(c->upstreams[0].parsed.base_path, "");
}

// Quick mode gets the same pool bounds as a file, and the bound can be set on the command line.
TEST(QuickConfig, UpstreamMaxConnections) {
  ConfigError err;
  auto d = quick_config("127.0.0.1:8080", "http://127.0.0.1:9099/v1", "", "", 1, err);
  ASSERT_TRUE(d.has_value()) << err.message;
  EXPECT_EQ(d->upstreams[0].max_connections, 1024u);
  EXPECT_EQ(d->upstreams[0].queue_depth, 1024u);
  EXPECT_EQ(d->upstreams[0].queue_timeout_ms, 5000u);
  auto c = quick_config("127.0.0.1:8080", "http://127.0.0.1:9099/v1", "", "", 1, err, 8);
  ASSERT_TRUE(c.has_value()) << err.message;
  EXPECT_EQ(c->upstreams[0].max_connections, 8u);
  EXPECT_EQ(c->upstreams[0].max_idle, 8u);  // never above the bound
  EXPECT_FALSE(quick_config("127.0.0.1:8080", "http://127.0.0.1:9099/v1", "", "", 1, err, 100'001));
  EXPECT_EQ(err.message, "--upstream-max-connections: must be between 1 and 100000, not 100001");
}

TEST(QuickConfig, AnthropicFormat) {
  ConfigError err;
  auto c = quick_config("127.0.0.1:8080", "http://127.0.0.1:9099/v1", "", "anthropic", 1, err);
  ASSERT_TRUE(c.has_value()) << err.message;
  EXPECT_EQ(c->upstreams[0].format, ApiFormat::kAnthropic);
}

TEST(QuickConfig, Errors) {
  EXPECT_EQ(quick_error("8080", "http://127.0.0.1:9099/v1", "", "", 0),
            "--listen: listen address needs a port (expected \"IPv4:PORT\", \"[IPv6]:PORT\" or "
            "\"localhost:PORT\")");
  EXPECT_EQ(quick_error("127.0.0.1:8080", "", "", "", 0),
            "--upstream: an upstream URL is required (e.g. http://127.0.0.1:9099/v1)");
  EXPECT_EQ(quick_error("127.0.0.1:8080", "http://169.254.169.254/", "", "", 0),
            "--upstream: URL host is a link-local, metadata or non-unicast address, which "
            "upstreams may not use");
  EXPECT_EQ(quick_error("127.0.0.1:8080", "http://127.0.0.1:9099/v1", "", "gemini", 0),
            "--upstream-format: must be openai or anthropic");
  EXPECT_EQ(quick_error("127.0.0.1:8080", "http://127.0.0.1:9099/v1", "", "", 1025),
            "--shards: must be between 0 and 1024, not 1025");
  unsetenv("RINGGATE_TEST_UNSET_KEY");
  EXPECT_EQ(quick_error("127.0.0.1:8080", "http://127.0.0.1:9099/v1", "env:RINGGATE_TEST_UNSET_KEY",
                        "", 0),
            "--upstream-key: environment variable RINGGATE_TEST_UNSET_KEY is not set");
}

// Quick mode does not take the upstream's models to reason unless told so.
TEST(QuickConfig, TranslationFlags) {
  ConfigError err;
  auto c = quick_config("127.0.0.1:8080", "http://127.0.0.1:9099/v1", "", "", 1, err);
  ASSERT_TRUE(c.has_value()) << err.message;
  EXPECT_FALSE(c->translation.reasoning);
  EXPECT_EQ(c->translation.unsupported_fields, UnsupportedFields::kDrop);
  ASSERT_TRUE(apply_quick_translation(false, "", *c, err)) << err.message;
  EXPECT_FALSE(c->translation.reasoning);
  EXPECT_EQ(c->translation.unsupported_fields, UnsupportedFields::kDrop);
  ASSERT_TRUE(apply_quick_translation(true, "refuse", *c, err)) << err.message;
  EXPECT_TRUE(c->translation.reasoning);
  EXPECT_EQ(c->translation.unsupported_fields, UnsupportedFields::kRefuse);
  EXPECT_FALSE(apply_quick_translation(false, "ignore", *c, err));
  EXPECT_EQ(err.message, "--unsupported-fields: must be drop or refuse");
}

// seed-defect: 004-P11
TEST(QuickConfig, KeyInClearOnTheCommandLineIsRefused) {
  std::string e =
      quick_error("127.0.0.1:8080", "http://127.0.0.1:9099/v1", "sk-clear-4b8d2e", "", 0);
  EXPECT_EQ(e,
            "--upstream-key: must not be the key itself; pass env:NAME (an environment variable) "
            "or file:PATH (a file holding the key)");
  EXPECT_EQ(e.find("4b8d2e"), std::string::npos);
}

Config quick() {
  ConfigError err;
  auto c = quick_config("127.0.0.1:8080", "http://127.0.0.1:9099/v1", "", "", 1, err);
  EXPECT_TRUE(c.has_value()) << err.message;
  return c ? *c : Config{};
}

std::string admission_error(const QuickAdmission& flags) {
  Config c = quick();
  ConfigError err;
  EXPECT_FALSE(apply_quick_admission(flags, c, err));
  return err.message;
}

constexpr const char* kStrongKey = "rg-Zq8vT3kP0xW2mN7bY5cR1dF6gH9jL4sA0eU3iO8tQ2w";

TEST(QuickAdmission, WithoutAKeyQuickModeIsOpenAccess) {
  Config c = quick();
  ConfigError err;
  ASSERT_TRUE(apply_quick_admission({}, c, err)) << err.message;
  EXPECT_EQ(c.admission.mode, AuthMode::kNone);
  EXPECT_TRUE(c.admission.keys.empty());
}

TEST(QuickAdmission, AStaticKeyBecomesTheOneVirtualKeyByItsHash) {
  ScopedEnv env("RINGGATE_TEST_AUTH_KEY", kStrongKey);
  Config c = quick();
  ConfigError err;
  QuickAdmission flags;
  flags.auth_key_ref = "env:RINGGATE_TEST_AUTH_KEY";
  ASSERT_TRUE(apply_quick_admission(flags, c, err)) << err.message;
  EXPECT_EQ(c.admission.mode, AuthMode::kKeys);
  ASSERT_EQ(c.admission.keys.size(), 1u);
  EXPECT_EQ(c.admission.keys[0].id, "static");
  EXPECT_EQ(c.admission.keys[0].sha256, sha256(kStrongKey));
  std::string d = describe(c);
  EXPECT_NE(d.find("auth: keys (1 keys, 0 teams)"), std::string::npos) << d;
  EXPECT_EQ(d.find("Zq8vT3kP"), std::string::npos) << d;
  EXPECT_EQ(d.find(sha256_hex(kStrongKey).substr(0, 8)), std::string::npos) << d;
}

// seed-defect: 000-C1
TEST(QuickAdmission, AWeakStaticKeyRefusesToStartWithoutQuotingIt) {
  QuickAdmission flags;
  flags.auth_key_ref = "env:RINGGATE_TEST_AUTH_KEY";
  {
    ScopedEnv env("RINGGATE_TEST_AUTH_KEY", "changeme-please");
    EXPECT_EQ(admission_error(flags),
              "--auth-key: the key is too weak: it has 15 characters; at least 32 are needed "
              "(`ringgate keygen` makes a strong one)");
  }
  {
    ScopedEnv env("RINGGATE_TEST_AUTH_KEY", "secretsecretsecretsecretsecretsecret");
    std::string e = admission_error(flags);
    EXPECT_EQ(e,
              "--auth-key: the key is too weak: it uses only 5 distinct characters; at least 10 "
              "are needed (`ringgate keygen` makes a strong one)");
  }
}

TEST(QuickAdmission, AuthKeyIsAReferenceNeverTheKey) {
  QuickAdmission flags;
  flags.auth_key_ref = kStrongKey;
  std::string e = admission_error(flags);
  EXPECT_EQ(e,
            "--auth-key: must not be the key itself; pass env:NAME (an environment variable) or "
            "file:PATH (a file holding the key)");
  unsetenv("RINGGATE_TEST_UNSET_KEY");
  flags.auth_key_ref = "env:RINGGATE_TEST_UNSET_KEY";
  EXPECT_EQ(admission_error(flags),
            "--auth-key: environment variable RINGGATE_TEST_UNSET_KEY is not set");
}

TEST(QuickAdmission, CorsOriginsAndTrustedProxies) {
  Config c = quick();
  ConfigError err;
  QuickAdmission flags;
  flags.cors_origins = {"https://app.example.com", "http://localhost:3000"};
  flags.trusted_proxies = {"10.0.0.0/8", "::1"};
  ASSERT_TRUE(apply_quick_admission(flags, c, err)) << err.message;
  EXPECT_EQ(c.admission.cors.allowed_origins, flags.cors_origins);
  ASSERT_EQ(c.admission.trusted_proxies.size(), 2u);
  EXPECT_EQ(c.admission.trusted_proxies[1].prefix_len, 128);
  EXPECT_EQ(c.admission.mode, AuthMode::kNone);

  QuickAdmission bad_origin, bad_proxy;
  bad_origin.cors_origins = {"https://app.example.com/"};
  bad_proxy.trusted_proxies = {"10.0.0.0/33"};
  EXPECT_EQ(admission_error(bad_origin),
            "--cors-origin https://app.example.com/: must be scheme://host[:port] with no path, "
            "not even '/' (browsers send none)");
  EXPECT_EQ(admission_error(bad_proxy),
            "--trusted-proxy 10.0.0.0/33: has a bad prefix length: it must be 0-32 for an IPv4 "
            "address");
}

}  // namespace
}  // namespace ringgate::config
