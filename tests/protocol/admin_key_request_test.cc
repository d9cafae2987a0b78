// The POST /admin/keys body: what is accepted, and a clear reason for everything else.
#include "protocol/admin_key_request.h"

#include <gtest/gtest.h>

namespace ringgate::protocol {
namespace {

constexpr int64_t kNow = 1'764'800'000;

struct Parsed {
  bool ok;
  AdminKeyRequest req;
  AdminKeyRequestError err;
};

Parsed parse(std::string_view body) {
  static simdjson::dom::parser parser;
  Parsed p;
  p.ok = parse_admin_key_request(parser, body, kNow, p.req, p.err);
  return p;
}

TEST(AdminKeyRequest, AcceptsIdTeamAndFutureExpiry) {
  Parsed p = parse(R"({"id":"bob.ci-1_x","team":"eng","expires_at":1764800060})");
  ASSERT_TRUE(p.ok) << p.err.message;
  EXPECT_EQ(p.req.id, "bob.ci-1_x");
  EXPECT_EQ(p.req.team, "eng");
  EXPECT_EQ(p.req.expires_at.value_or(0), 1764800060);
  p = parse(R"({"id":"a"})");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.req.team, "");
  EXPECT_FALSE(p.req.expires_at);
}

TEST(AdminKeyRequest, RefusesBadIds) {
  for (std::string_view body : {R"({})", R"({"id":""})", R"({"id":"a b"})", R"({"id":"a/b"})",
                                R"({"id":7})", R"({"id":"ä"})"}) {
    Parsed p = parse(body);
    EXPECT_FALSE(p.ok) << body;
    EXPECT_EQ(p.err.param, "id") << body;
  }
  EXPECT_TRUE(parse(R"({"id":")" + std::string(64, 'a') + R"("})").ok);
  EXPECT_FALSE(parse(R"({"id":")" + std::string(65, 'a') + R"("})").ok);
}

TEST(AdminKeyRequest, RefusesExpiriesThatAreNotFutureIntegers) {
  for (std::string_view body :
       {R"({"id":"a","expires_at":1764800000})", R"({"id":"a","expires_at":1})",
        R"({"id":"a","expires_at":1764900000.5})", R"({"id":"a","expires_at":"1764900000"})",
        R"({"id":"a","expires_at":null})"}) {
    Parsed p = parse(body);
    EXPECT_FALSE(p.ok) << body;
    EXPECT_EQ(p.err.param, "expires_at") << body;
  }
}

TEST(AdminKeyRequest, RefusesOtherShapes) {
  for (std::string_view body :
       {"", "not json", "[]", R"("id")", R"({"id":"a","id":"b"})", R"({"id":"a","key":"rg-x"})",
        R"({"id":"a","team":""})", R"({"id":"a","team":5})", R"({"id":"a"} trailing)"}) {
    Parsed p = parse(body);
    EXPECT_FALSE(p.ok) << body;
    EXPECT_FALSE(p.err.message.empty()) << body;
  }
  EXPECT_FALSE(parse(R"({"id":"a","team":")" + std::string(5000, 'x') + R"("})").ok);
}

TEST(AdminKeyRequest, ValidIds) {
  EXPECT_TRUE(valid_admin_key_id("A-z.0_9"));
  EXPECT_FALSE(valid_admin_key_id(""));
  EXPECT_FALSE(valid_admin_key_id("a%2Fb"));
}

}  // namespace
}  // namespace ringgate::protocol
