// Azure OpenAI upstreams: format = "azure" needs api_version, the deployment is each model's
// served name (upstream_model, else name), and both must fit the URL unescaped.
#include <gtest/gtest.h>

#include <string>

#include "engine/config/config.h"
#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::load_error;
using testing::open_access;

TEST(ConfigAzure, LoadsFormatApiVersionAndTheAdapterTarget) {
  ConfigError err;
  auto c = load_config_string(open_access(R"([[upstreams]]
name = "az"
url = "https://myres.openai.azure.com"
format = "azure"
api_version = "2025-04-01-preview"
[[models]]
name = "gpt-4o"
upstream = "az"
upstream_model = "prod-4o"
)"),
                              "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  const Upstream& u = c->upstreams[0];
  EXPECT_EQ(u.format, ApiFormat::kAzureOpenAi);
  EXPECT_EQ(u.api_version, "2025-04-01-preview");
  const providers::UpstreamTarget t = u.target();
  EXPECT_EQ(t.format, providers::ApiFormat::kAzureOpenAi);
  EXPECT_EQ(t.base_path, "");
  EXPECT_EQ(t.api_version, "2025-04-01-preview");
  EXPECT_EQ(c->models[0].served_name(), "prod-4o");
  EXPECT_NE(describe(*c).find("format=azure api_version=2025-04-01-preview"), std::string::npos);
}

TEST(ConfigAzure, ApiVersionIsRequired) {
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "az"
url = "https://myres.openai.azure.com"
format = "azure"
[[models]]
name = "m"
upstream = "az"
)"),
            "t.toml:1:1: upstreams[0] is missing required key 'api_version' (format \"azure\" "
            "needs one)");
}

TEST(ConfigAzure, ApiVersionMustFitTheQueryString) {
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "az"
url = "https://myres.openai.azure.com"
format = "azure"
api_version = "2024-10-21&x=1"
[[models]]
name = "m"
upstream = "az"
)"),
            "t.toml:5:15: upstreams[0].api_version must be 1-64 letters, digits, '-', '_' or '.' "
            "(e.g. \"2024-10-21\")");
}

TEST(ConfigAzure, ApiVersionOnOtherFormatsIsAnError) {
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "oa"
url = "https://api.openai.com/v1"
api_version = "2024-10-21"
[[models]]
name = "m"
upstream = "oa"
)"),
            "t.toml:4:15: upstreams[0].api_version applies only to azure upstreams");
}

TEST(ConfigAzure, ServedNamesMustBeUsableDeploymentNames) {
  EXPECT_EQ(load_error(R"([[upstreams]]
name = "az"
url = "https://myres.openai.azure.com"
format = "azure"
api_version = "2024-10-21"
[[models]]
name = "m"
upstream = "az"
upstream_model = "team/prod"
[[models]]
name = "meta-llama/Llama-3"
upstream = "az"
)"),
            "t.toml:9:18: models[0].upstream_model 'team/prod' names the deployment on azure "
            "upstream 'az': it must be letters, digits, '-', '_' and '.' (set upstream_model to "
            "the deployment name)\n"
            "t.toml:11:8: models[1].name 'meta-llama/Llama-3' names the deployment on azure "
            "upstream 'az': it must be letters, digits, '-', '_' and '.' (set upstream_model to "
            "the deployment name)");
}

TEST(ConfigAzure, OtherFormatsTakeAnyModelName) {
  ConfigError err;
  auto c = load_config_string(open_access(R"([[upstreams]]
name = "oa"
url = "http://127.0.0.1:9099/v1"
[[models]]
name = "meta-llama/Llama-3"
upstream = "oa"
)"),
                              "t.toml", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_TRUE(c->upstreams[0].api_version.empty());
}

}  // namespace
}  // namespace ringgate::config
