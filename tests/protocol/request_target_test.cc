#include "protocol/request_target.h"

#include <gtest/gtest.h>

namespace ringgate::protocol {
namespace {

// A dot segment that an upstream (or a framework in front of it) resolves turns /v1/../admin
// into /admin: a path the gateway never routed. Every spelling that some back end decodes to one
// is refused, not normalized, so the gateway and the upstream cannot disagree on the path.
TEST(RequestTarget, DotSegmentsAreRefusedInEverySpelling) {
  for (const char* t : {"/v1/../admin", "/v1/./models", "/v1/..", "/v1/.", "/..", "/.",
                        "/v1/%2e%2e/admin", "/v1/%2E%2E/admin", "/v1/.%2e/x", "/v1/%2e./x",
                        "/v1/%2e/x", "/v1/%2E", "/v1/models/..", "/v1/..?q=1", "/v1/.?q=1",
                        // Separators other than '/' that common back ends also split on.
                        "/v1/..%2fadmin", "/v1/..%2Fadmin", "/v1/%2e%2e%2fadmin", "/v1/..\\admin",
                        "/v1/x%5c..%5cadmin", "/v1/x\\.",
                        // Tomcat-style path parameters: "/..;/" is "/../" there.
                        "/v1/..;/admin", "/v1/.;x/admin", "/v1/%2e%2e;jsessionid=1/admin"}) {
    ASSERT_NE(request_target_problem(t), nullptr) << t;
  }
}

TEST(RequestTarget, FragmentsAreRefused) {
  for (const char* t : {"/v1/models#x", "/v1/chat/completions?a=b#frag", "/v1/#", "#"}) {
    ASSERT_NE(request_target_problem(t), nullptr) << t;
  }
}

TEST(RequestTarget, OrdinaryTargetsPass) {
  for (const char* t : {"/v1/chat/completions", "/v1/models/gpt-4o", "/v1/files/file-abc.jsonl",
                        "/v1/x/...", "/v1/.well-known/x", "/v1/..x", "/v1/x..", "/v1/x.",
                        "/v1/%2e%2e%2e", "/v1/%2ex", "/v1/models?path=/../x", "/v1/models?q=.", "/",
                        "*", "/healthz", "/v1//models", "/v1/a%2fb", "/v1/%25%32%65%25%32%65/x"}) {
    EXPECT_EQ(request_target_problem(t), nullptr) << t;
  }
}

TEST(RequestTarget, PathAtOrUnderIsSegmentWise) {
  EXPECT_TRUE(path_at_or_under("/v1/responses", "/v1/responses"));
  EXPECT_TRUE(path_at_or_under("/v1/responses/resp_1/input_items", "/v1/responses"));
  EXPECT_FALSE(path_at_or_under("/v1/responsesx", "/v1/responses"));
  EXPECT_FALSE(path_at_or_under("/v1/respon", "/v1/responses"));
}

}  // namespace
}  // namespace ringgate::protocol
