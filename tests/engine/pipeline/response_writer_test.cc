// ResponseWriter without a ring: the bytes a client gets for each kind of response.
#include "engine/pipeline/response_writer.h"

#include <gtest/gtest.h>

#include "tests/engine/pipeline/relay_test_support.h"

namespace ringgate::pipeline {
namespace {

using testing::run_now;
using testing::StringSink;

class Writer : public ::testing::Test {
 protected:
  void SetUp() override { rq_.request_id = "rid-7"; }
  StringSink sink_;
  RequestContext rq_;
  ResponseWriter out_{sink_, rq_};
};

TEST_F(Writer, ALocalAnswerIsHeadAndBodyWithTheRequestId) {
  run_now(out_.respond(200, "text/plain", "ok"));
  EXPECT_EQ(sink_.wire,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
            "X-Request-ID: rid-7\r\n\r\nok");
  EXPECT_EQ(rq_.progress.status, 200);
  EXPECT_EQ(sink_.counted, std::vector<int>{200});
}

TEST_F(Writer, TheRequestsResponseHeadersAreOnEveryHeadOnceLinesOnOne) {
  rq_.response_headers = "X-RateLimit-Remaining: 9\r\n";
  out_.add_once("Retry-After: 1\r\n");
  run_now(out_.respond_error({503, "busy", protocol::ErrorCode::kUpstreamUnavailable}));
  EXPECT_NE(sink_.wire.find("Retry-After: 1\r\nX-RateLimit-Remaining: 9\r\n\r\n"),
            std::string::npos)
      << sink_.wire;
  sink_.wire.clear();
  protocol::HttpResponseHead uh;
  uh.status = 201;
  uh.headers = {{"X-Up", "1"}, {"Drop-Me", "1"}};
  out_.relay_head(uh, BodyFraming::kChunked, [](std::string_view n) { return n == "X-Up"; });
  run_now(out_.send({}, true));
  EXPECT_EQ(sink_.wire,
            "HTTP/1.1 201 Created\r\nX-Up: 1\r\nTransfer-Encoding: chunked\r\n"
            "X-Request-ID: rid-7\r\nX-RateLimit-Remaining: 9\r\n\r\n0\r\n\r\n");
}

// An Anthropic client gets the id as `request-id` too, unless a relayed head carries the
// upstream's own (an Anthropic upstream passed through), which is then the one it reads.
TEST_F(Writer, AnthropicClientsGetOneRequestId) {
  rq_.front = protocol::ApiFront::kAnthropic;
  run_now(out_.respond(200, "application/json", "{}"));
  EXPECT_NE(sink_.wire.find("X-Request-ID: rid-7\r\nrequest-id: rid-7\r\n"), std::string::npos)
      << sink_.wire;
  sink_.wire.clear();
  protocol::HttpResponseHead uh;
  uh.status = 200;
  uh.headers = {{"request-id", "req_up"}};
  out_.relay_head(uh, BodyFraming::kChunked, [](std::string_view) { return true; });
  run_now(out_.send({}, true));
  EXPECT_NE(sink_.wire.find("request-id: req_up\r\n"), std::string::npos) << sink_.wire;
  EXPECT_EQ(sink_.wire.find("request-id: rid-7"), std::string::npos) << sink_.wire;
  sink_.wire.clear();
  run_now(out_.respond(200, "application/json", "{}"));  // the next head is on its own again
  EXPECT_NE(sink_.wire.find("request-id: rid-7\r\n"), std::string::npos) << sink_.wire;
  sink_.wire.clear();
  rq_.front = protocol::ApiFront::kOpenAi;
  run_now(out_.respond(200, "application/json", "{}"));
  EXPECT_EQ(sink_.wire.find("request-id:"), std::string::npos) << sink_.wire;
}

TEST_F(Writer, ABodyToTheCloseClosesAndSaysSo) {
  sink_.http11 = false;
  out_.sse_head();
  const std::string_view ev = "data: 1\n\n";
  run_now(out_.send(std::span(&ev, 1), true));
  EXPECT_FALSE(sink_.keep_alive);
  EXPECT_NE(sink_.wire.find("Connection: close\r\n\r\ndata: 1\n\n"), std::string::npos)
      << sink_.wire;
}

TEST_F(Writer, AnswersToHeadAreTheHeadAlone) {
  sink_.head = true;
  run_now(out_.respond(200, "text/plain", "ok"));
  EXPECT_NE(sink_.wire.find("Content-Length: 2\r\n"), std::string::npos);
  EXPECT_EQ(sink_.wire.substr(sink_.wire.size() - 4), "\r\n\r\n");
}

TEST_F(Writer, AStreamErrorEndIsAnEventInTheClientsShapeOnlyAfterTheHead) {
  rq_.front = protocol::ApiFront::kAnthropic;
  out_.sse_head();
  EXPECT_FALSE(
      run_now(out_.end_stream_with_error({502, "cut", protocol::ErrorCode::kUpstreamStreamError})));
  EXPECT_TRUE(sink_.wire.empty());
  run_now(out_.send({}, false));
  EXPECT_TRUE(
      run_now(out_.end_stream_with_error({502, "cut", protocol::ErrorCode::kUpstreamStreamError})));
  EXPECT_NE(sink_.wire.find("event: error\ndata: "), std::string::npos) << sink_.wire;
  EXPECT_EQ(sink_.wire.substr(sink_.wire.size() - 5), "0\r\n\r\n");
}

}  // namespace
}  // namespace ringgate::pipeline
