#include "providers/tokenizer/encoding.h"

#include <gtest/gtest.h>

namespace ringgate::providers::tokenizer {
namespace {

TEST(EncodingForModel, O200kFamilies) {
  for (const char* m : {"gpt-4o", "gpt-4o-mini-2024-07-18", "o1", "o1-preview", "o3-mini",
                        "o4-mini", "gpt-4.1", "gpt-4.1-nano", "gpt-5", "gpt-5-chat",
                        "chatgpt-4o-latest", "openai/gpt-4o", "azure/gpt-4.1"}) {
    EXPECT_EQ(encoding_for_model(m), Encoding::kO200kBase) << m;
  }
}

TEST(EncodingForModel, Cl100kFamilies) {
  for (const char* m : {"gpt-4", "gpt-4-turbo", "gpt-4-0613", "gpt-3.5-turbo", "gpt-35-turbo",
                        "text-embedding-3-small", "text-embedding-3-large",
                        "text-embedding-ada-002", "openai/gpt-3.5-turbo"}) {
    EXPECT_EQ(encoding_for_model(m), Encoding::kCl100kBase) << m;
  }
}

TEST(EncodingForModel, UnknownIsO200kEstimate) {
  EXPECT_EQ(encoding_for_model("claude-sonnet-4"), Encoding::kO200kBase);
  EXPECT_EQ(encoding_for_model(""), Encoding::kO200kBase);
}

TEST(EncodingNames, RoundTrip) {
  EXPECT_EQ(parse_encoding("o200k_base"), Encoding::kO200kBase);
  EXPECT_EQ(parse_encoding("cl100k_base"), Encoding::kCl100kBase);
  EXPECT_FALSE(parse_encoding("p50k_base"));
  EXPECT_EQ(encoding_name(Encoding::kO200kBase), "o200k_base");
  EXPECT_EQ(encoding_name(Encoding::kCl100kBase), "cl100k_base");
}

}  // namespace
}  // namespace ringgate::providers::tokenizer
