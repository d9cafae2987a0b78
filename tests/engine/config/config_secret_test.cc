// Secrets: referenced as env:NAME or file:PATH, resolved at load time, never shown.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "engine/config/config.h"
#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::load_error;
using testing::open_access;
using testing::ScopedEnv;
using testing::TempDir;

// Distinctive enough that finding it anywhere means it leaked.
constexpr const char* kSecret = "sk-test-7f3c9a1e5b2d4f60a8c1e3b5d7f9a2c4";

std::string upstream_with_key(std::string_view ref) {
  return "[[upstreams]]\nname = \"p\"\nurl = \"https://api.example.com/v1\"\napi_key = \"" +
         std::string(ref) + "\"\n[[models]]\nname = \"m\"\nupstream = \"p\"\n";
}

// seed-defect: 002-9
TEST(ConfigSecret, ResolvedFromEnvironmentAtLoad) {
  ScopedEnv env("RINGGATE_TEST_PROVIDER_KEY", kSecret);
  ConfigError err;
  auto c = load_config_string(open_access(upstream_with_key("env:RINGGATE_TEST_PROVIDER_KEY")),
                              "t.toml", err);
  ASSERT_TRUE(c.has_value()) << err.message;
  EXPECT_EQ(c->upstreams[0].api_key, kSecret);
  EXPECT_EQ(c->upstreams[0].api_key_ref, "env:RINGGATE_TEST_PROVIDER_KEY");
}

TEST(ConfigSecret, ResolvedFromFileWithTrailingNewlineTrimmed) {
  TempDir dir;
  std::string path = dir.write("key", std::string(kSecret) + "\r\n");
  ConfigError err;
  auto c = load_config_string(open_access(upstream_with_key("file:" + path)), "t.toml", err);
  ASSERT_TRUE(c.has_value()) << err.message;
  EXPECT_EQ(c->upstreams[0].api_key, kSecret);
}

TEST(ConfigSecret, RelativeFileIsRelativeToTheConfigFile) {
  TempDir dir;
  dir.write("provider.key", std::string(kSecret) + "\n");
  std::string config_path =
      dir.write("gw.toml", open_access(upstream_with_key("file:provider.key")));
  ConfigError err;
  auto c = load_config_file(config_path, err);
  ASSERT_TRUE(c.has_value()) << err.message;
  EXPECT_EQ(c->upstreams[0].api_key, kSecret);
}

// seed-defect: 004-P11
TEST(ConfigSecret, KeyWrittenInClearIsRefusedWithoutEchoingIt) {
  std::string e = load_error(upstream_with_key(kSecret));
  EXPECT_EQ(e,
            "t.toml:4:11: upstreams[0].api_key must not hold the key itself; write \"env:NAME\" "
            "(an environment variable) or \"file:PATH\" (a file holding the key)");
  EXPECT_EQ(e.find("7f3c9a1e"), std::string::npos);
}

TEST(ConfigSecret, MissingEnvironmentVariableIsNamed) {
  unsetenv("RINGGATE_TEST_UNSET_KEY");
  EXPECT_EQ(load_error(upstream_with_key("env:RINGGATE_TEST_UNSET_KEY")),
            "t.toml:4:11: upstreams[0].api_key: environment variable RINGGATE_TEST_UNSET_KEY is "
            "not set");
}

TEST(ConfigSecret, EmptyEnvironmentVariableIsAnError) {
  ScopedEnv env("RINGGATE_TEST_EMPTY_KEY", "");
  EXPECT_EQ(load_error(upstream_with_key("env:RINGGATE_TEST_EMPTY_KEY")),
            "t.toml:4:11: upstreams[0].api_key: environment variable RINGGATE_TEST_EMPTY_KEY is "
            "empty");
}

// seed-defect: 004-P4
TEST(ConfigSecret, InvalidEnvironmentVariableNameIsNotEchoed) {
  EXPECT_EQ(load_error(upstream_with_key("env:1BAD-NAME")),
            "t.toml:4:11: upstreams[0].api_key: the text after \"env:\" is not an environment "
            "variable name (letters, digits and _, not starting with a digit); it is not shown "
            "since it may be the key itself");
}

// Someone pasted the key after the prefix: whatever is wrong, the message holds none of it.
// seed-defect: 004-P4
TEST(ConfigSecret, KeyPastedAfterThePrefixIsNeverEchoed) {
  const std::string hex_key = "a8c1e3b5d7f9a2c47f3c9a1e5b2d4f60";  // a valid, lower-case name
  unsetenv(hex_key.c_str());
  for (const std::string& ref :
       {"env:" + std::string(kSecret), "env:" + hex_key, "file:" + std::string(kSecret),
        "file:" + hex_key, "file:/etc/" + std::string(kSecret), "env: " + std::string(kSecret)}) {
    const std::string e = load_error(upstream_with_key(ref));
    EXPECT_TRUE(e.starts_with("t.toml:4:11: upstreams[0].api_key: ")) << e;
    const std::string_view pasted = std::string_view(ref).substr(ref.find(':') + 1);
    for (size_t i = 0; i + 8 <= pasted.size(); ++i) {
      ASSERT_EQ(e.find(pasted.substr(i, 8)), std::string::npos) << ref << " -> " << e;
    }
  }
}

// Without a prefix the whole value is the suspect; nothing of it is shown.
// seed-defect: 004-P4
TEST(ConfigSecret, ValueWithoutAPrefixIsNeverEchoed) {
  for (const std::string& value :
       {std::string(kSecret), "ENV:" + std::string(kSecret), "Bearer " + std::string(kSecret),
        std::string(kSecret) + "env:X", " file:" + std::string(kSecret)}) {
    const std::string e = load_error(upstream_with_key(value));
    EXPECT_NE(e.find("must not hold the key itself"), std::string::npos) << e;
    EXPECT_EQ(e.find("7f3c9a1e"), std::string::npos) << e;
    EXPECT_EQ(e.find("Bearer"), std::string::npos) << e;
  }
}

// An upper-case NAME is how variables are written; that one is named, for the operator.
TEST(ConfigSecret, UnsetLowerCaseVariableIsNotNamed) {
  unsetenv("ringgate_test_unset_key");
  EXPECT_EQ(load_error(upstream_with_key("env:ringgate_test_unset_key")),
            "t.toml:4:11: upstreams[0].api_key: the environment variable named after \"env:\" "
            "is not set (the name is not shown: it is not an upper-case NAME and may be the key "
            "itself)");
}

// seed-defect: 004-P4
TEST(ConfigSecret, UnopenableFileIsNotEchoed) {
  EXPECT_EQ(load_error(upstream_with_key("file:/nonexistent/ringgate.key")),
            "t.toml:4:11: upstreams[0].api_key: cannot open the file named after \"file:\" "
            "(No such file or directory); the path is not shown since it may be the key itself");
  TempDir dir;
  EXPECT_EQ(
      load_error(upstream_with_key("file:" + dir.path())),
      "t.toml:4:11: upstreams[0].api_key: secret file " + dir.path() + " is not a regular file");
}

// A relative path is relative to the config's folder; that folder is named, the path is not.
TEST(ConfigSecret, UnopenableRelativeFileNamesOnlyTheConfigFolder) {
  TempDir dir;
  std::string config_path =
      dir.write("gw.toml", open_access(upstream_with_key("file:missing.key")));
  ConfigError err;
  EXPECT_FALSE(load_config_file(config_path, err).has_value());
  EXPECT_NE(err.message.find("(No such file or directory; relative to " + dir.path() + ")"),
            std::string::npos)
      << err.message;
  EXPECT_EQ(err.message.find("missing.key"), std::string::npos) << err.message;
}

TEST(ConfigSecret, FifoDoesNotHangTheLoad) {
  TempDir dir;
  std::string fifo = dir.path() + "/key.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(load_error(upstream_with_key("file:" + fifo)),
            "t.toml:4:11: upstreams[0].api_key: secret file " + fifo + " is not a regular file");
}

// A line break inside a key would let it inject headers into every upstream request.
// seed-defect: 004-P4
TEST(ConfigSecret, ControlCharactersRefusedWithoutEchoingTheValue) {
  std::string value = std::string(kSecret) + "\r\nX-Injected: 1";
  ScopedEnv env("RINGGATE_TEST_BAD_KEY", value.c_str());
  std::string e = load_error(upstream_with_key("env:RINGGATE_TEST_BAD_KEY"));
  EXPECT_EQ(e,
            "t.toml:4:11: upstreams[0].api_key: environment variable RINGGATE_TEST_BAD_KEY "
            "contains control characters (a line break inside the key?)");
  EXPECT_EQ(e.find("7f3c9a1e"), std::string::npos);
  EXPECT_EQ(e.find("Injected"), std::string::npos);
}

TEST(ConfigSecret, EmptyFileIsAnError) {
  TempDir dir;
  std::string path = dir.write("empty.key", "\n");
  EXPECT_EQ(load_error(upstream_with_key("file:" + path)),
            "t.toml:4:11: upstreams[0].api_key: secret file " + path + " is empty");
}

// seed-defect: 004-P4
TEST(ConfigSecret, NeverAppearsInDescribe) {
  ScopedEnv env("RINGGATE_TEST_PROVIDER_KEY", kSecret);
  TempDir dir;
  std::string file = dir.write("key", kSecret);
  ConfigError err;
  auto c = load_config_string(open_access(upstream_with_key("env:RINGGATE_TEST_PROVIDER_KEY") + R"(
[[upstreams]]
name = "q"
url = "http://127.0.0.1:9099/v1"
api_key = "file:)" + file + "\"\n"),
                              "t.toml", err);
  ASSERT_TRUE(c.has_value()) << err.message;
  ASSERT_EQ(c->upstreams[1].api_key, kSecret);
  std::string d = describe(*c);
  EXPECT_EQ(d.find(kSecret), std::string::npos) << d;
  // Not even a fragment of it.
  for (size_t i = 0; i + 6 <= std::string_view(kSecret).size(); ++i) {
    ASSERT_EQ(d.find(std::string_view(kSecret).substr(i, 6)), std::string::npos) << d;
  }
  EXPECT_NE(d.find("key=env:RINGGATE_TEST_PROVIDER_KEY <redacted len=40>"), std::string::npos) << d;
  EXPECT_NE(d.find("key=file:" + file + " <redacted len=40>"), std::string::npos) << d;
}

TEST(ConfigSecret, ErrorsElsewhereNeverShowResolvedSecrets) {
  ScopedEnv env("RINGGATE_TEST_PROVIDER_KEY", kSecret);
  // The key resolves, a later problem fails the load: the message must still be key-free.
  std::string e = load_error(upstream_with_key("env:RINGGATE_TEST_PROVIDER_KEY") +
                             "[[models]]\nname = \"m\"\nupstream = \"p\"\n");
  EXPECT_EQ(e, "t.toml:9:8: duplicate model name 'm' in models[1].name (already used at line 6)");
  EXPECT_EQ(e.find("7f3c9a1e"), std::string::npos);
}

TEST(ConfigSecret, RedactShowsOnlyTheLength) {
  EXPECT_EQ(redact(kSecret), "<redacted len=40>");
  EXPECT_EQ(redact(""), "<redacted len=0>");
}

TEST(ConfigSecret, ResolveSecretDirectly) {
  std::string err;
  EXPECT_FALSE(resolve_secret(kSecret, err));
  EXPECT_EQ(err,
            "a secret must be a reference, \"env:NAME\" or \"file:PATH\", not the value itself");
  EXPECT_FALSE(resolve_secret("file:", err));
  EXPECT_EQ(err, "empty path in \"file:\" secret reference");
  TempDir dir;
  dir.write("k", "abc\n\n");
  auto v = resolve_secret("file:k", err, dir.path());
  ASSERT_TRUE(v.has_value()) << err;
  EXPECT_EQ(*v, "abc");
  EXPECT_TRUE(is_secret_ref("env:X"));
  EXPECT_TRUE(is_secret_ref("file:/x"));
  EXPECT_FALSE(is_secret_ref("sk-env:X"));
}

}  // namespace
}  // namespace ringgate::config
