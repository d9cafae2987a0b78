// [[upstreams]] responses_api and [responses_store]: how /v1/responses reaches an upstream and how
// long the gateway remembers a translated conversation.
#include <gtest/gtest.h>

#include <string>

#include "engine/config/config.h"
#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::load_error;
using testing::open_access;

constexpr const char* kChatOnly = R"([[upstreams]]
name = "vllm"
url = "http://127.0.0.1:8000/v1"
responses_api = "chat"
[[models]]
name = "m"
upstream = "vllm"
)";

TEST(ConfigResponses, ChatOnlyUpstreamReachesTheAdapterTarget) {
  ConfigError err;
  auto c = load_config_string(open_access(kChatOnly), "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_EQ(c->upstreams[0].target().responses, providers::ResponsesApi::kChat);
  EXPECT_NE(describe(*c).find("responses_api=chat"), std::string::npos);
}

TEST(ConfigResponses, NativeIsTheDefault) {
  ConfigError err;
  auto c = load_config_string(open_access(R"([[upstreams]]
name = "oa"
url = "http://127.0.0.1:8000/v1"
[[models]]
name = "m"
upstream = "oa"
)"),
                              "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_EQ(c->upstreams[0].target().responses, providers::ResponsesApi::kNative);
  EXPECT_EQ(describe(*c).find("responses_api"), std::string::npos);
}

TEST(ConfigResponses, UnknownValueIsAnError) {
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "oa"
url = "http://127.0.0.1:8000/v1"
responses_api = "translate"
[[models]]
name = "m"
upstream = "oa"
)"),
            "t.toml:4:17: upstreams[0].responses_api must be \"native\" or \"chat\"");
}

TEST(ConfigResponses, AnthropicUpstreamsAreAlwaysTranslated) {
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "an"
url = "http://127.0.0.1:8000"
format = "anthropic"
responses_api = "native"
[[models]]
name = "m"
upstream = "an"
)"),
            "t.toml:5:17: upstreams[0].responses_api applies only to openai and azure upstreams "
            "(an anthropic upstream's /v1/responses is always translated)");
}

TEST(ConfigResponses, StoreBoundsAreReadAndChecked) {
  ConfigError err;
  auto c = load_config_string(open_access(std::string(kChatOnly) + R"(
[responses_store]
ttl_ms = 60000
max_bytes = 1048576
max_entries = 10
max_entry_bytes = 65536
)"),
                              "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_EQ(c->responses_store.ttl_ms, 60000);
  EXPECT_EQ(c->responses_store.max_bytes, 1048576);
  EXPECT_EQ(c->responses_store.max_entries, 10);
  EXPECT_EQ(c->responses_store.max_entry_bytes, 65536);
  EXPECT_NE(load_error(std::string(kChatOnly) + "[responses_store]\nttl_ms = 5\n").find("ttl_ms"),
            std::string::npos);
  EXPECT_NE(load_error(std::string(kChatOnly) + "[responses_store]\nsize = 5\n").find("size"),
            std::string::npos);
}

}  // namespace
}  // namespace ringgate::config
