#include "bench/load/request_builder.h"

#include <gtest/gtest.h>

namespace ringgate::bench {
namespace {

TargetUrl target() {
  TargetUrl url;
  EXPECT_EQ(parse_target_url("http://127.0.0.1:9000/v1/chat/completions", url), "");
  return url;
}

TEST(RequestBuilder, FixedPostCarriesLengthAndJsonType) {
  const RequestBuilder b("POST", target(), {"Authorization: Bearer x"}, BodyTemplate("{\"a\":1}"));
  ASSERT_FALSE(b.varies());
  EXPECT_EQ(b.fixed_request(),
            "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n"
            "Authorization: Bearer x\r\nContent-Type: application/json\r\n"
            "Content-Length: 7\r\n\r\n{\"a\":1}");
}

TEST(RequestBuilder, UserHeadersOverrideDefaults) {
  const RequestBuilder b("POST", target(), {"host: example", "content-type: text/plain"},
                         BodyTemplate("x"));
  EXPECT_EQ(b.fixed_request(),
            "POST /v1/chat/completions HTTP/1.1\r\nhost: example\r\ncontent-type: text/plain\r\n"
            "Content-Length: 1\r\n\r\nx");
}

TEST(RequestBuilder, GetWithoutBodyHasNoLength) {
  const RequestBuilder b("GET", target(), {}, BodyTemplate(""));
  EXPECT_EQ(b.fixed_request(), "GET /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n\r\n");
}

TEST(RequestBuilder, TemplateLengthFollowsEachRendering) {
  const RequestBuilder b("POST", target(), {}, BodyTemplate("n={{seq}}"));
  ASSERT_TRUE(b.varies());
  std::string scratch, out;
  b.build(7, 0, scratch, out);
  EXPECT_TRUE(out.ends_with("Content-Length: 3\r\n\r\nn=7")) << out;
  b.build(123456, 0, scratch, out);
  EXPECT_TRUE(out.ends_with("Content-Length: 8\r\n\r\nn=123456")) << out;
}

}  // namespace
}  // namespace ringgate::bench
