#include "engine/pipeline/response_head.h"

#include <gtest/gtest.h>

namespace ringgate::pipeline {
namespace {

std::string local_head(BodyFraming f, CommonHeaders c) {
  std::string h;
  start_head(h, 200);
  append_header(h, "Content-Type", "application/json");
  append_framing(h, f, 15);
  finish_head(h, c);
  return h;
}

TEST(ResponseHead, EveryHeadCarriesTheRequestIdAndEndsWithABlankLine) {
  EXPECT_EQ(local_head(BodyFraming::kLength, {"rid-1", {}, false, false, {}}),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
            "X-Request-ID: rid-1\r\n\r\n");
}

TEST(ResponseHead, FramingSaysExactlyHowTheBodyEnds) {
  EXPECT_NE(local_head(BodyFraming::kChunked, {"r", {}, false, false, {}})
                .find("Transfer-Encoding: chunked\r\n"),
            std::string::npos);
  for (BodyFraming f : {BodyFraming::kUntilClose, BodyFraming::kNone}) {
    const std::string h = local_head(f, {"r", {}, true, false, {}});
    EXPECT_EQ(h.find("Content-Length"), std::string::npos) << h;
    EXPECT_EQ(h.find("Transfer-Encoding"), std::string::npos) << h;
  }
}

TEST(ResponseHead, ConnectionIsSaidWhenItMatters) {
  EXPECT_NE(local_head(BodyFraming::kLength, {"r", {}, true, false, {}})
                .find("\r\nConnection: close\r\n"),
            std::string::npos);
  EXPECT_NE(local_head(BodyFraming::kLength, {"r", {}, false, true, {}})
                .find("\r\nConnection: keep-alive\r\n"),
            std::string::npos);
  EXPECT_EQ(local_head(BodyFraming::kLength, {"r", {}, false, false, {}}).find("Connection"),
            std::string::npos);
}

TEST(ResponseHead, AStagesExtraHeadersAreWrittenOnce) {
  const std::string h =
      local_head(BodyFraming::kLength, {"r", "Allow: POST\r\n", false, false, {}});
  EXPECT_NE(h.find("\r\nAllow: POST\r\n"), std::string::npos);
  EXPECT_EQ(h.find("Allow"), h.rfind("Allow"));
}

TEST(ResponseHead, TheRequestsHeadersAreOnEveryHeadAfterTheOnceLines) {
  CommonHeaders c{"r", "Allow: POST\r\n", false, false, "X-RateLimit-Remaining: 9\r\n"};
  const std::string h = local_head(BodyFraming::kLength, c);
  EXPECT_NE(h.find("\r\nAllow: POST\r\nX-RateLimit-Remaining: 9\r\n\r\n"), std::string::npos) << h;
}

// Anthropic's SDKs read the request id from `request-id`: the same id under that name too.
TEST(ResponseHead, AnthropicClientsGetTheIdAsRequestIdToo) {
  CommonHeaders c{"rid-2", {}, false, false, {}};
  c.anthropic_request_id = true;
  EXPECT_EQ(local_head(BodyFraming::kLength, c),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
            "X-Request-ID: rid-2\r\nrequest-id: rid-2\r\n\r\n");
}

}  // namespace
}  // namespace ringgate::pipeline
