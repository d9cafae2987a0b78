// BodyRelay without a ring: scripted upstream reads in, the exact bytes the client got out.
#include "engine/pipeline/body_relay.h"

#include <gtest/gtest.h>

#include <cctype>

#include "tests/engine/pipeline/relay_test_support.h"

namespace ringgate::pipeline {
namespace {

using testing::chunks_of;
using testing::run_now;
using testing::ScriptedBody;
using testing::StringSink;
using End = RelayResult::End;
using Shape = RelayPlan::Shape;

// A tap that is always full.
struct RefusingTap final : BodyTap {
  int offers = 0;
  bool offer(std::span<const std::string_view>) override {
    ++offers;
    return false;
  }
};

// Upper-cases what it is fed; breaks (like an event over the cap) at a '!'.
struct UpperTransform final : BodyTransform {
  bool feed(std::string_view bytes, std::string& out) override {
    for (char c : bytes) {
      if (c == '!') {
        out += "[fail]";
        return false;
      }
      out.push_back(char(std::toupper(static_cast<unsigned char>(c))));
    }
    return true;
  }
  void finish(std::string& out) override { out += "[end]"; }
};

class Relay : public ::testing::Test {
 protected:
  // Sends an SSE head (chunked), then relays `first` and the script.
  RelayResult relay(std::vector<std::string> first, RelayPlan plan) {
    out_.sse_head();
    first_ = std::move(first);
    pieces_.assign(first_.begin(), first_.end());
    return run_now(relay_.run(up_, pieces_, plan));
  }
  std::vector<std::string> body_chunks() const {
    return chunks_of(std::string_view(sink_.wire).substr(sink_.wire.find("\r\n\r\n") + 4));
  }

  StringSink sink_;
  RequestContext rq_;
  ResponseWriter out_{sink_, rq_};
  BodyRelay relay_{out_, rq_};
  ScriptedBody up_;
  std::vector<std::string> first_;
  std::vector<std::string_view> pieces_;
};

TEST_F(Relay, BytesGoOutAsTheyCameOneChunkPerRead) {
  up_.steps = {{{"cd", "e"}}, {{"f"}, BodyRead::kData, true}};
  RelayResult r = relay({"ab"}, {Shape::kBytes});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(body_chunks(), (std::vector<std::string>{"ab", "cde", "f", "<end>"}));
  EXPECT_NE(sink_.wire.find("HTTP/1.1 200 OK\r\n"), std::string::npos);
}

TEST_F(Relay, OnlyWholeEventsReachTheClient) {
  up_.steps = {{{"ta: 2\n\ndata: 3"}}, {{"\n\n"}, BodyRead::kData, true}};
  RelayResult r = relay({"data: 1\n\nda"}, {Shape::kWholeEvents});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(body_chunks(),
            (std::vector<std::string>{"data: 1\n\n", "data: 2\n\n", "data: 3\n\n", "<end>"}));
}

TEST_F(Relay, AnEventOverTheCapEndsTheStreamWithAnErrorEvent) {
  up_.steps = {{{std::string(64, 'x')}}, {{"never read\n\n"}, BodyRead::kData, true}};
  RelayPlan plan{Shape::kWholeEvents};
  plan.max_event_bytes = 32;
  RelayResult r = relay({"data: ok\n\ndata: "}, plan);
  EXPECT_EQ(r.end, End::kEventTooLarge);
  const std::vector<std::string> c = body_chunks();
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0], "data: ok\n\n");
  EXPECT_NE(c[1].find(kSseEventTooLarge), std::string::npos) << c[1];
  EXPECT_EQ(c[1].substr(c[1].size() - 2), "\n\n");  // a whole event
  EXPECT_EQ(c[2], "<end>");
  EXPECT_EQ(up_.reads, 1);  // the rest of the upstream stays unread
}

TEST_F(Relay, AnUpstreamCutMidStreamEndsWithAWellFormedErrorEvent) {
  up_.steps = {{{"data: 2\n\ndata: par"}}, {{}, BodyRead::kMalformed}};
  RelayResult r = relay({"data: 1\n\n"}, {Shape::kWholeEvents});
  EXPECT_EQ(r.end, End::kUpstreamFailed);
  EXPECT_EQ(r.failure, BodyRead::kMalformed);
  const std::vector<std::string> c = body_chunks();
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[1], "data: 2\n\n");  // the unfinished "data: par" never goes out
  EXPECT_NE(c[2].find("ended early"), std::string::npos) << c[2];
  EXPECT_EQ(c[3], "<end>");
}

// seed-defect: 004-P3 — a silent upstream gets the client an SSE comment, between whole events
// only: the unfinished "data: 2" waits in the carry while the comment goes out.
TEST_F(Relay, AHeartbeatGoesOutBetweenWholeEventsOnly) {
  up_.steps = {{{}, BodyRead::kHeartbeat},
               {{"ta: 2"}},
               {{}, BodyRead::kHeartbeat},
               {{"\n\n"}, BodyRead::kData, true}};
  RelayPlan plan{Shape::kWholeEvents};
  plan.heartbeat_ms = 250;
  RelayResult r = relay({"data: 1\n\nda"}, plan);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(body_chunks(), (std::vector<std::string>{"data: 1\n\n", ": ping\n\n", ": ping\n\n",
                                                     "data: 2\n\n", "<end>"}));
  EXPECT_EQ(up_.heartbeats_asked, (std::vector<uint32_t>{250, 250, 250, 250}));
  EXPECT_EQ(rq_.progress.heartbeats, 2u);
}

TEST_F(Relay, ATransformedStreamGetsTheHeartbeatUntransformed) {
  UpperTransform t;
  RelayPlan plan{Shape::kTransform};
  plan.transform = &t;
  plan.heartbeat_ms = 100;
  up_.steps = {{{}, BodyRead::kHeartbeat}, {{"b"}, BodyRead::kData, true}};
  RelayResult r = relay({"a"}, plan);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(body_chunks(), (std::vector<std::string>{"A", ": ping\n\n", "B[end]", "<end>"}));
}

TEST_F(Relay, NoHeartbeatIntoBytesOrABodyOfKnownLength) {
  RelayPlan plan{Shape::kBytes};
  plan.heartbeat_ms = 100;
  up_.steps = {{{"b"}, BodyRead::kData, true}};
  EXPECT_TRUE(relay({"a"}, plan).ok());
  EXPECT_EQ(up_.heartbeats_asked, (std::vector<uint32_t>{0}));

  // Whole events under a Content-Length: a comment would break the length.
  StringSink sink;
  RequestContext rq;
  ResponseWriter out(sink, rq);
  BodyRelay relay(out, rq);
  ScriptedBody up;
  up.steps = {{{"data: 2\n\n"}, BodyRead::kData, true}};
  protocol::HttpResponseHead head;
  head.status = 200;
  head.content_length = 18;
  out.relay_head(head, BodyFraming::kLength, [](std::string_view) { return false; });
  std::vector<std::string_view> pieces = {"data: 1\n\n"};
  RelayPlan events{Shape::kWholeEvents};
  events.heartbeat_ms = 100;
  EXPECT_TRUE(run_now(relay.run(up, pieces, events)).ok());
  EXPECT_EQ(up.heartbeats_asked, (std::vector<uint32_t>{0}));
}

TEST_F(Relay, ATimeoutSaysWhichLimitItHit) {
  up_.steps = {{{}, BodyRead::kIdleTimeout}};
  RelayResult r = relay({"data: 1\n\n"}, {Shape::kWholeEvents});
  EXPECT_TRUE(r.timed_out());
  EXPECT_NE(sink_.wire.find("went idle"), std::string::npos);
}

TEST_F(Relay, TheTransformsOutputIsWhatTheClientGets) {
  UpperTransform t;
  RelayPlan plan{Shape::kTransform};
  plan.transform = &t;
  up_.steps = {{{"c"}, BodyRead::kData, true}};
  RelayResult r = relay({"a", "b"}, plan);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(body_chunks(), (std::vector<std::string>{"AB", "C[end]", "<end>"}));
}

TEST_F(Relay, ABrokenTransformEndsInTheSameSendAndStopsReading) {
  UpperTransform t;
  RelayPlan plan{Shape::kTransform};
  plan.transform = &t;
  up_.steps = {{{"unread"}, BodyRead::kData, true}};
  RelayResult r = relay({"a!b"}, plan);
  EXPECT_EQ(r.end, End::kEventTooLarge);
  EXPECT_EQ(body_chunks(), (std::vector<std::string>{"A[fail][end]", "<end>"}));
  EXPECT_EQ(up_.reads, 0);
}

TEST_F(Relay, AnUpstreamCutUnderATransformEndsWithItsFinish) {
  UpperTransform t;
  RelayPlan plan{Shape::kTransform};
  plan.transform = &t;
  up_.steps = {{{}, BodyRead::kConnectionFailed}};
  RelayResult r = relay({"a"}, plan);
  EXPECT_EQ(r.end, End::kUpstreamFailed);
  EXPECT_EQ(body_chunks(), (std::vector<std::string>{"A", "[end]", "<end>"}));
}

TEST_F(Relay, AFullTapDropsAndCountsAndTheClientGetsEverything) {
  RefusingTap full;
  CountingTap count(rq_);
  ASSERT_TRUE(relay_.add_tap(full));
  ASSERT_TRUE(relay_.add_tap(count));
  up_.steps = {{{"data: 2\n\n"}, BodyRead::kData, true}};
  RelayResult r = relay({"data: 1\n\n"}, {Shape::kWholeEvents});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(body_chunks(), (std::vector<std::string>{"data: 1\n\n", "data: 2\n\n", "<end>"}));
  EXPECT_EQ(full.offers, 2);
  EXPECT_EQ(rq_.progress.tap_dropped, 2u);
  EXPECT_EQ(rq_.progress.relayed_bytes, 18u);
  EXPECT_EQ(rq_.progress.relayed_sends, 2u);
}

// A tap that keeps every byte it is offered.
struct RecordingTap final : BodyTap {
  std::string bytes;
  bool offer(std::span<const std::string_view> pieces) override {
    for (std::string_view p : pieces) bytes += p;
    return true;
  }
};

// The accounting copy reads the upstream's own bytes (its usage), not the client's translation.
TEST_F(Relay, AnUpstreamTapSeesTheBytesBeforeTheTransform) {
  UpperTransform t;
  RecordingTap upstream, client;
  ASSERT_TRUE(relay_.add_upstream_tap(upstream));
  ASSERT_TRUE(relay_.add_tap(client));
  RelayPlan plan{Shape::kTransform};
  plan.transform = &t;
  up_.steps = {{{"c"}, BodyRead::kData, true}};
  EXPECT_TRUE(relay({"a", "b"}, plan).ok());
  EXPECT_EQ(upstream.bytes, "abc");
  EXPECT_EQ(client.bytes, "ABC[end]");
}

TEST_F(Relay, AnUpstreamTapSeesAnUnfinishedEventTheClientNeverGets) {
  RecordingTap upstream;
  RefusingTap full;
  ASSERT_TRUE(relay_.add_upstream_tap(upstream));
  ASSERT_TRUE(relay_.add_upstream_tap(full));
  up_.steps = {{{"data: 2"}, BodyRead::kData}, {{}, BodyRead::kConnectionFailed}};
  relay({"data: 1\n\n"}, {Shape::kWholeEvents});
  EXPECT_EQ(upstream.bytes, "data: 1\n\ndata: 2");
  EXPECT_EQ(rq_.progress.tap_dropped, 2u);  // a full upstream tap drops and counts too
}

TEST_F(Relay, TapsAreForOneRunOnly) {
  RefusingTap full;
  ASSERT_TRUE(relay_.add_tap(full));
  up_.done = true;
  relay({"x"}, {Shape::kBytes});
  run_now(relay_.run(up_, pieces_, {Shape::kBytes}));
  EXPECT_EQ(full.offers, 1);
}

TEST_F(Relay, AClientThatLeftStopsTheRelay) {
  sink_.refuse_after = 1;  // the head and first chunk go, then the client is gone
  up_.steps = {{{"b"}}, {{"c"}}, {{"d"}, BodyRead::kData, true}};
  RelayResult r = relay({"a"}, {Shape::kBytes});
  EXPECT_EQ(r.end, End::kClientGone);
  EXPECT_EQ(up_.reads, 1);
}

TEST_F(Relay, ALeaderWhoseClientLeftReadsOnForItsUpstreamTapsWhileAsked) {
  // seed-defect: 004-P14 — followers wait for this answer; the upstream call goes on.
  RecordingTap upstream;
  ASSERT_TRUE(relay_.add_upstream_tap(upstream));
  sink_.refuse_after = 1;
  up_.steps = {{{"b"}}, {{"c"}}, {{"d"}, BodyRead::kData, true}};
  RelayPlan plan{Shape::kBytes};
  int asked = 0;
  plan.keep_reading = [&asked] { return ++asked > 0; };
  RelayResult r = relay({"a"}, plan);
  EXPECT_EQ(r.end, End::kClientGone);
  EXPECT_TRUE(r.upstream_complete);
  EXPECT_EQ(up_.reads, 3);
  EXPECT_EQ(upstream.bytes, "abcd");
}

TEST_F(Relay, ALeaderStopsReadingOnceNobodyWaits) {
  RecordingTap upstream;
  ASSERT_TRUE(relay_.add_upstream_tap(upstream));
  sink_.refuse_after = 1;
  up_.steps = {{{"b"}}, {{"c"}}, {{"d"}, BodyRead::kData, true}};
  RelayPlan plan{Shape::kBytes};
  int waiting = 1;  // the followers' answer is wanted for one more read
  plan.keep_reading = [&waiting] { return waiting-- > 0; };
  RelayResult r = relay({"a"}, plan);
  EXPECT_EQ(r.end, End::kClientGone);
  EXPECT_FALSE(r.upstream_complete);
  EXPECT_EQ(up_.reads, 2);
}

TEST_F(Relay, CollectReadsTheWholeBodyAndSendsNothing) {
  std::string whole;
  RelayPlan plan{Shape::kCollect};
  plan.collect = &whole;
  up_.steps = {{{"\"b\":1"}}, {{"}"}, BodyRead::kData, true}};
  first_ = {"{"};
  pieces_.assign(first_.begin(), first_.end());
  RelayResult r = run_now(relay_.run(up_, pieces_, plan));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(whole, "{\"b\":1}");
  EXPECT_TRUE(sink_.wire.empty());
}

}  // namespace
}  // namespace ringgate::pipeline
