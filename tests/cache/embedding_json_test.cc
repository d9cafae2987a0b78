// Embeddings JSON: the request body's escaping and the response parser's refusals.
#include "cache/embedding_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ringgate::cache {
namespace {

TEST(EmbeddingJson, RequestBodyEscapesModelAndInput) {
  EXPECT_EQ(embedding_request_body("m\"1", "a\nb\\"),
            R"({"model":"m\"1","input":"a\nb\\","encoding_format":"float"})");
}

TEST(EmbeddingJson, ParsesTheFirstEmbedding) {
  std::vector<float> v;
  std::string err;
  ASSERT_TRUE(parse_embedding_response(
      R"({"data":[{"embedding":[1,-0.5,2e-1]},{"embedding":[9,9,9]}],"model":"x"})", 3, v, err));
  EXPECT_EQ(v, (std::vector<float>{1.0f, -0.5f, 0.2f}));
}

TEST(EmbeddingJson, RefusesWhatIsNotAnEmbeddingOfTheRightSize) {
  const char* bad[] = {
      "",
      "[]",
      R"({"data":[]})",
      R"({"data":{"embedding":[1,2]}})",
      R"({"data":[{"embedding":"AAAA"}]})",     // base64 was not asked for
      R"({"data":[{"embedding":[1,2,3]}]})",    // 3, not 2
      R"({"data":[{"embedding":[1,"2"]}]})",    // a string
      R"({"data":[{"embedding":[1,1e300]}]})",  // out of float range
      R"({"error":{"message":"secret-ish text"}})",
  };
  for (const char* body : bad) {
    std::vector<float> v;
    std::string err;
    EXPECT_FALSE(parse_embedding_response(body, 2, v, err)) << body;
    EXPECT_FALSE(err.empty()) << body;
    EXPECT_EQ(err.find("secret-ish"), std::string::npos);  // never echoes the body
  }
}

}  // namespace
}  // namespace ringgate::cache
