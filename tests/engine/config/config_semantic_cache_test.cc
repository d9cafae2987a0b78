// [cache.semantic] through read_semantic_cache(): defaults, every key, thresholds per model
// (000-M4), the remote embedder's URL, key reference and deadline, and file:line:col errors.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "engine/config/semantic_cache_loader.h"

namespace ringgate::config {
namespace {

struct Loaded {
  SemanticCacheConfig config;
  std::string errors;  // rendered diagnostics; "" when none
};

// Parses `toml` (a [cache] table first) and reads [cache.semantic] the way the [cache] loader does.
Loaded load(const std::string& toml) {
  Loaded out;
  Diagnostics diag("t.toml");
  const toml::table root = toml::parse(std::string_view(toml), std::string_view("t.toml"));
  const toml::table* cache = root["cache"].as_table();
  EXPECT_NE(cache, nullptr);
  if (cache == nullptr) return out;
  TableReader r(*cache, "cache", diag);
  read_semantic_cache(r, diag, "", out.config);
  r.finish();
  if (!diag.empty()) out.errors = diag.render();
  return out;
}

TEST(SemanticCacheConfig, DefaultsWhenAbsentOrEmpty) {
  const Loaded none = load("[cache]\n");
  EXPECT_EQ(none.errors, "");
  EXPECT_FALSE(none.config.enabled);
  const Loaded empty = load("[cache.semantic]\nenabled = true\n");
  EXPECT_EQ(empty.errors, "");
  EXPECT_TRUE(empty.config.enabled);
  EXPECT_EQ(empty.config.embedder, SemanticEmbedderKind::kLocal);
  EXPECT_EQ(empty.config.ttl_s, 3600u);
  EXPECT_EQ(empty.config.index.m, 16u);
  EXPECT_DOUBLE_EQ(empty.config.threshold_for("any"), 0.92);
}

// seed-defect: 000-M4
TEST(SemanticCacheConfig, ReadsEveryKeyAndAThresholdPerModel) {
  ::setenv("RINGGATE_TEST_EMBED_KEY", "sk-embed-secret", 1);
  const Loaded l = load(R"([cache.semantic]
enabled = true
embedder = "remote"
ttl_s = 600
default_threshold = 0.9
thresholds = { "gpt-4o" = 0.97, "claude/haiku" = 1 }
remote = { url = "http://127.0.0.1:9000/", model = "text-embedding-3-small", api_key = "env:RINGGATE_TEST_EMBED_KEY", timeout_ms = 80, dims = 1536, queue = 32 }
[cache.semantic.index]
m = 24
ef_construction = 100
ef_search = 48
max_vectors = 5000
)");
  ASSERT_EQ(l.errors, "");
  const SemanticCacheConfig& c = l.config;
  EXPECT_EQ(c.embedder, SemanticEmbedderKind::kRemote);
  EXPECT_EQ(c.ttl_s, 600u);
  EXPECT_DOUBLE_EQ(c.threshold_for("gpt-4o"), 0.97);
  EXPECT_DOUBLE_EQ(c.threshold_for("claude/haiku"), 1.0);
  EXPECT_DOUBLE_EQ(c.threshold_for("other"), 0.9);
  EXPECT_EQ(c.remote.url, "http://127.0.0.1:9000");
  EXPECT_EQ(c.remote.endpoint.target, "/v1/embeddings");
  EXPECT_EQ(c.remote.endpoint.port, 9000);
  EXPECT_FALSE(c.remote.endpoint.tls);
  EXPECT_EQ(c.remote.model, "text-embedding-3-small");
  EXPECT_EQ(c.remote.api_key, "sk-embed-secret");
  EXPECT_EQ(c.remote.timeout_ms, 80u);
  EXPECT_EQ(c.remote.dims, 1536u);
  EXPECT_EQ(c.remote.queue, 32u);
  EXPECT_EQ(c.index.m, 24u);
  EXPECT_EQ(c.index.ef_construction, 100u);
  EXPECT_EQ(c.index.ef_search, 48u);
  EXPECT_EQ(c.index.max_vectors, 5000u);
}

TEST(SemanticCacheConfig, ErrorsArePositionedAndNeverQuoteAKey) {
  const Loaded l = load(R"([cache.semantic]
embedder = "cloud"
ttl_s = 0
thresholds = { "m" = 1.5 }
colour = "blue"
[cache.semantic.remote]
url = "ftp://x"
api_key = "sk-literal-key-123"
)");
  EXPECT_NE(l.errors.find("t.toml:2:12: cache.semantic.embedder must be \"local\" or \"remote\""),
            std::string::npos)
      << l.errors;
  EXPECT_NE(l.errors.find("t.toml:3:9: cache.semantic.ttl_s must be between 1 and"),
            std::string::npos)
      << l.errors;
  EXPECT_NE(l.errors.find("t.toml:4:22: cache.semantic.thresholds.\"m\" must be a number above 0"),
            std::string::npos)
      << l.errors;
  EXPECT_NE(l.errors.find("t.toml:5:"), std::string::npos) << l.errors;  // unknown key colour
  EXPECT_NE(l.errors.find("t.toml:7:7: cache.semantic.remote.url: "), std::string::npos)
      << l.errors;
  EXPECT_NE(l.errors.find("cache.semantic.remote.api_key must not hold the key itself"),
            std::string::npos)
      << l.errors;
  EXPECT_NE(l.errors.find("missing required key 'model'"), std::string::npos) << l.errors;
  EXPECT_NE(l.errors.find("missing required key 'dims'"), std::string::npos) << l.errors;
  EXPECT_EQ(l.errors.find("sk-literal"), std::string::npos) << l.errors;
}

TEST(SemanticCacheConfig, RemoteEmbedderNeedsItsTable) {
  const Loaded l = load("[cache.semantic]\nembedder = \"remote\"\n");
  EXPECT_NE(l.errors.find("t.toml:2:12: cache.semantic.embedder = \"remote\" needs a "
                          "[cache.semantic.remote] table"),
            std::string::npos)
      << l.errors;
}

}  // namespace
}  // namespace ringgate::config
