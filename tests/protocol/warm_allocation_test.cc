// The hot path must not allocate once a connection's parsers are warm. This executable replaces
// global operator new to count allocations made between two points on this thread.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "protocol/chunked_encoder.h"
#include "protocol/http_request_parser.h"
#include "protocol/http_response_parser.h"
#include "protocol/json_chat_request.h"
#include "protocol/sse_framer.h"

// Sanitizers own the allocator (and count nothing useful here), so the check runs only in
// ordinary builds.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RINGGATE_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define RINGGATE_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef RINGGATE_COUNT_ALLOCATIONS
#define RINGGATE_COUNT_ALLOCATIONS 1
#endif

namespace {
thread_local size_t g_allocations = 0;
}  // namespace

#if RINGGATE_COUNT_ALLOCATIONS
void* operator new(size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#endif

namespace ringgate::protocol {
namespace {

// Runs `work` once to warm up, then returns how many allocations a second run made.
class WarmAllocation : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RINGGATE_COUNT_ALLOCATIONS) GTEST_SKIP() << "allocation counting is off under sanitizers";
  }
};

template <class F>
size_t allocations_when_warm(F&& work) {
  work();
  const size_t before = g_allocations;
  work();
  return g_allocations - before;
}

TEST_F(WarmAllocation, CounterSeesAllocations) {
  const size_t before = g_allocations;
  std::string* volatile s = new std::string(100, 'x');
  delete s;
  EXPECT_GT(g_allocations, before);
}

TEST_F(WarmAllocation, RequestParserDoesNotAllocate) {
  const std::string body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
  const std::string cl_request =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string chunked_request =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  append_chunk(chunked_request, body.substr(0, 10));
  append_chunk(chunked_request, body.substr(10));
  append_last_chunk(chunked_request);
  HttpRequestParser parser;
  EXPECT_EQ(allocations_when_warm([&] {
              for (const std::string* req :
                   {&cl_request, static_cast<const std::string*>(&chunked_request)}) {
                parser.reset();
                // Fed in two reads, as off the wire.
                parser.parse(std::string_view(*req).substr(0, 40));
                ASSERT_EQ(parser.parse(*req), ParseStatus::kComplete);
                ASSERT_EQ(parser.request().body, body);
              }
            }),
            0u);
}

TEST_F(WarmAllocation, ResponseParserDoesNotAllocate) {
  std::string body;
  append_chunk(body, "data: {\"choices\":[]}\n\n");
  append_last_chunk(body);
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  HttpResponseParser parser;
  std::vector<std::string_view> out;
  out.reserve(16);
  EXPECT_EQ(allocations_when_warm([&] {
              parser.reset();
              out.clear();
              ASSERT_EQ(parser.feed(head, out), ParseStatus::kNeedMore);
              ASSERT_EQ(parser.feed(body, out), ParseStatus::kComplete);
            }),
            0u);
}

TEST_F(WarmAllocation, SseFramerDoesNotAllocate) {
  // A multi-line event (joined) and one split across feeds (reassembled) exercise both buffers.
  const std::string first = "data: a\ndata: b\n\ndata: {\"partial\":";
  const std::string second = "true}\n\n";
  SseFramer framer;
  size_t events = 0;
  EXPECT_EQ(allocations_when_warm([&] {
              framer.reset();
              framer.feed(first, [&](const SseEvent&) { ++events; });
              framer.feed(second, [&](const SseEvent&) { ++events; });
            }),
            0u);
  EXPECT_EQ(events, 4u);
}

TEST_F(WarmAllocation, ChatJsonViewDoesNotAllocate) {
  const std::string body =
      R"({"model":"gpt-4o-mini","stream":true,"max_tokens":5,"messages":[{"role":"user","content":"hi"}]})";
  simdjson::dom::parser parser;
  ChatRequestView view;
  JsonError err;
  EXPECT_EQ(
      allocations_when_warm([&] { ASSERT_TRUE(parse_chat_request(parser, body, view, err)); }), 0u);
}

// The duplicate-key check runs on every request: no allocation for an ordinary one.
TEST_F(WarmAllocation, ChatJsonViewWithManyKeysDoesNotAllocate) {
  const std::string body =
      R"({"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},)"
      R"("max_tokens":5,"max_completion_tokens":6,"temperature":0.2,"top_p":1,"n":1,)"
      R"("user":"u","seed":7,"tools":[],"tool_choice":"auto","metadata":{"a":"b"},)"
      R"("messages":[{"role":"user","content":"hi"}]})";
  simdjson::dom::parser parser;
  ChatRequestView view;
  JsonError err;
  EXPECT_EQ(
      allocations_when_warm([&] { ASSERT_TRUE(parse_chat_request(parser, body, view, err)); }), 0u);
}

}  // namespace
}  // namespace ringgate::protocol
