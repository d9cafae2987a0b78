#include "protocol/admin_query.h"

#include <gtest/gtest.h>

namespace ringgate::protocol {
namespace {

std::optional<AdminQuery> parse(std::string_view q) {
  std::string error;
  auto r = parse_admin_query(q, error);
  EXPECT_EQ(r.has_value(), error.empty()) << q;
  return r;
}

TEST(AdminQuery, EmptyMeansDefaults) {
  const auto q = parse("");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->limit, AdminQuery::kDefaultLimit);
  EXPECT_FALSE(q->since);
  EXPECT_FALSE(q->before);
  EXPECT_TRUE(q->key.empty());
}

TEST(AdminQuery, EveryParameterIsRead) {
  const auto q = parse("since=1764800000&key=alice&model=gpt-4o&limit=200&before=42");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q->since, 1764800000);
  EXPECT_EQ(q->key, "alice");
  EXPECT_EQ(q->model, "gpt-4o");
  EXPECT_EQ(q->limit, 200u);
  EXPECT_EQ(*q->before, 42u);
}

TEST(AdminQuery, ValuesArePercentDecoded) {
  const auto q = parse("model=openai%2Fgpt-4o&key=a+b");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->model, "openai/gpt-4o");
  EXPECT_EQ(q->key, "a b");
}

TEST(AdminQuery, EmptyPairsAreSkipped) { EXPECT_TRUE(parse("&limit=5&&")); }

TEST(AdminQuery, BadInputIsRefused) {
  for (std::string_view bad :
       {"limit=0", "limit=201", "limit=-1", "limit=5x", "limit=", "since=-5", "since=abc",
        "since=99999999999999999999", "before=x", "key=", "model=", "color=red", "limit",
        "limit=5&limit=6", "key=%zz", "key=%4", "key=%0a", "key=%00"}) {
    std::string error;
    EXPECT_FALSE(parse_admin_query(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(AdminQuery, IdsAreAtMost128Bytes) {
  EXPECT_TRUE(parse("key=" + std::string(128, 'a')));
  std::string error;
  EXPECT_FALSE(parse_admin_query("key=" + std::string(129, 'a'), error));
  EXPECT_NE(error.find("128"), std::string::npos);
}

}  // namespace
}  // namespace ringgate::protocol
