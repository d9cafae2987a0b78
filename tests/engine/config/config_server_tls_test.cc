// [server.tls]: HTTPS on the client listener; every key read, every bad value named.
#include <gtest/gtest.h>

#include <string>

#include "engine/config/config.h"
#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::load_error;
using testing::open_access;

using testing::kRouting;
using testing::with_routing;

Config load_ok(std::string_view toml) {
  ConfigError err;
  auto config = load_config_string(open_access(with_routing(toml)), "/etc/rg/t.toml", err);
  EXPECT_TRUE(config.has_value()) << err.message;
  return config ? *config : Config{};
}

TEST(ConfigServerTls, OffByDefault) {
  Config c = load_ok("[server]\nlisten = \"127.0.0.1:8080\"\n");
  EXPECT_FALSE(c.server.tls.enabled);
}

TEST(ConfigServerTls, EveryKeyIsRead) {
  Config c = load_ok(R"([server.tls]
cert_file = "cert.pem"
key_file = "/abs/key.pem"
client_ca_file = "clients.pem"
client_cert = "optional"
min_version = "1.3"
handshake_ms = 2500
listen = "0.0.0.0:8443"
)");
  const ServerTls& t = c.server.tls;
  EXPECT_TRUE(t.enabled);
  // load_config_string keeps relative paths (load_config_file joins them to the file's directory).
  EXPECT_EQ(t.cert_file, "cert.pem");
  EXPECT_EQ(t.key_file, "/abs/key.pem");
  EXPECT_EQ(t.client_ca_file, "clients.pem");
  EXPECT_FALSE(t.client_cert_required);
  EXPECT_TRUE(t.tls13_only);
  EXPECT_EQ(t.handshake_ms, 2500u);
  EXPECT_TRUE(t.own_listener);
  EXPECT_EQ(t.listen_host, "0.0.0.0");
  EXPECT_EQ(t.listen_port, 8443);
}

TEST(ConfigServerTls, DefaultsWhenOnlyTheFilesAreGiven) {
  Config c = load_ok("[server.tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n");
  EXPECT_TRUE(c.server.tls.client_cert_required);
  EXPECT_FALSE(c.server.tls.tls13_only);
  EXPECT_FALSE(c.server.tls.own_listener);
  EXPECT_EQ(c.server.tls.handshake_ms, 10000u);
}

TEST(ConfigServerTls, BadValuesAreNamed) {
  auto err = [](std::string_view tls) {
    return load_error(with_routing(std::string("[server.tls]\n") + std::string(tls)));
  };
  EXPECT_NE(err("key_file = \"k.pem\"\n").find("server.tls.cert_file must name a PEM file"),
            std::string::npos);
  EXPECT_NE(err("cert_file = \"c.pem\"\nkey_file = \"\"\n").find("server.tls.key_file"),
            std::string::npos);
  const std::string files = "cert_file = \"c.pem\"\nkey_file = \"k.pem\"\n";
  EXPECT_NE(err(files + "min_version = \"1.1\"\n").find("min_version must be"), std::string::npos);
  EXPECT_NE(err(files + "client_cert = \"required\"\n").find("needs client_ca_file"),
            std::string::npos);
  EXPECT_NE(err(files + "client_ca_file = \"ca.pem\"\nclient_cert = \"maybe\"\n")
                .find("client_cert must be"),
            std::string::npos);
  EXPECT_NE(err(files + "listen = \"example.com:443\"\n").find("server.tls.listen"),
            std::string::npos);
  EXPECT_NE(err(files + "handshake_ms = 0\n").find("handshake_ms"), std::string::npos);
  EXPECT_NE(err(files + "ciphers = \"RC4\"\n").find("ciphers"), std::string::npos);
}

TEST(ConfigServerTls, AKeyMayBeKnownByItsClientCertificateSubjectAlone) {
  ConfigError err;
  auto c = load_config_string(with_routing(R"([auth]
mode = "keys"
[[keys]]
id = "svc-a"
tls_subject = "CN=svc-a,O=Example"
)"),
                              "t.toml", err);
  ASSERT_TRUE(c.has_value()) << err.message;
  ASSERT_EQ(c->admission.keys.size(), 1u);
  EXPECT_EQ(c->admission.keys[0].tls_subject, "CN=svc-a,O=Example");
  EXPECT_FALSE(c->admission.keys[0].has_sha256);
}

TEST(ConfigServerTls, DuplicateSubjectsAndKeysWithNeitherAreRefused) {
  ConfigError err;
  auto c = load_config_string(with_routing(R"([auth]
mode = "keys"
[[keys]]
id = "a"
tls_subject = "CN=svc-a"
[[keys]]
id = "b"
tls_subject = "CN=svc-a"
[[keys]]
id = "c"
)"),
                              "t.toml", err);
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(err.message.find("names a subject another key already has"), std::string::npos)
      << err.message;
  EXPECT_NE(err.message.find("keys[2]"), std::string::npos) << err.message;
}

}  // namespace
}  // namespace ringgate::config
