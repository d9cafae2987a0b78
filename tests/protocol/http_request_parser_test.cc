#include "protocol/http_request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ringgate::protocol {
namespace {

using namespace std::string_literals;

// Everything a parse produced, copied out so results from different buffers compare equal.
struct Outcome {
  ParseStatus status = ParseStatus::kNeedMore;
  int error_status = 0;
  std::string method, target, path, query, body;
  std::vector<std::pair<std::string, std::string>> headers;
  int version_minor = -1;
  bool chunked = false, keep_alive = false, expect_continue = false;
  size_t consumed = 0;
  bool operator==(const Outcome&) const = default;
};

Outcome capture(const HttpRequestParser& p, ParseStatus status) {
  Outcome o;
  o.status = status;
  if (status == ParseStatus::kError) {
    o.error_status = p.error().status;
    return o;
  }
  if (status != ParseStatus::kComplete) return o;
  const HttpRequest& r = p.request();
  o.method = r.method;
  o.target = r.target;
  o.path = r.path;
  o.query = r.query;
  o.body = r.body;
  for (const HttpHeader& h : r.headers) o.headers.emplace_back(h.name, h.value);
  o.version_minor = r.version_minor;
  o.chunked = r.chunked;
  o.keep_alive = r.keep_alive;
  o.expect_continue = r.expect_continue;
  o.consumed = p.consumed();
  return o;
}

Outcome parse_whole(std::string_view input, HttpLimits limits = {}) {
  HttpRequestParser p(limits);
  return capture(p, p.parse(input));
}

// Feeds `input` cut at `cuts` the way a connection does: the accumulated bytes are passed each
// time, and they live in a fresh allocation on every call so any view kept from an earlier call
// would dangle (ASan catches it) and offsets must be rebased.
Outcome parse_split(std::string_view input, const std::vector<size_t>& cuts,
                    HttpLimits limits = {}) {
  HttpRequestParser p(limits);
  std::string previous;
  ParseStatus st = ParseStatus::kNeedMore;
  auto run = [&](size_t end) {
    std::string buf(input.substr(0, end));
    st = p.parse(buf);
    Outcome o = capture(p, st);
    previous = std::move(buf);
    return o;
  };
  for (size_t cut : cuts) {
    Outcome o = run(cut);
    if (st != ParseStatus::kNeedMore) return o;
  }
  return run(input.size());
}

void expect_same_at_every_split(std::string_view input, HttpLimits limits = {}) {
  const Outcome whole = parse_whole(input, limits);
  std::vector<size_t> bytewise;
  for (size_t i = 1; i < input.size(); ++i) bytewise.push_back(i);
  EXPECT_EQ(parse_split(input, bytewise, limits), whole) << "byte at a time";
  for (size_t i = 1; i < input.size(); ++i) {
    ASSERT_EQ(parse_split(input, {i}, limits), whole) << "split at " << i;
  }
}

const std::string kChatBody =
    R"({"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hello!"}]})";

std::string chat_request() {
  return "POST /v1/chat/completions?api-version=2024-06-01 HTTP/1.1\r\n"
         "Host: gateway.local:8080\r\n"
         "User-Agent: OpenAI/Python 1.40.0\r\n"
         "Authorization: Bearer sk-test-key\r\n"
         "Content-Type: application/json\r\n"
         "Accept: */*\r\n"
         "Content-Length: " +
         std::to_string(kChatBody.size()) + "\r\n\r\n" + kChatBody;
}

TEST(HttpRequestParser, ParsesRealisticChatRequest) {
  const std::string req = chat_request();
  HttpRequestParser p;
  ASSERT_EQ(p.parse(req), ParseStatus::kComplete);
  const HttpRequest& r = p.request();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/v1/chat/completions?api-version=2024-06-01");
  EXPECT_EQ(r.path, "/v1/chat/completions");
  EXPECT_EQ(r.query, "api-version=2024-06-01");
  EXPECT_EQ(r.version_minor, 1);
  ASSERT_EQ(r.headers.size(), 6u);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("HOST"), "gateway.local:8080");
  EXPECT_EQ(r.header("x-missing"), "");
  EXPECT_EQ(r.content_length, kChatBody.size());
  EXPECT_EQ(r.body, kChatBody);
  EXPECT_TRUE(r.keep_alive);
  EXPECT_FALSE(r.chunked);
  EXPECT_EQ(p.consumed(), req.size());
  // Content-Length bodies are views into the caller's buffer, not copies.
  EXPECT_EQ(r.body.data(), req.data() + req.size() - kChatBody.size());
}

TEST(HttpRequestParser, HeaderValuesAreTrimmedOfOptionalWhitespace) {
  HttpRequestParser p;
  ASSERT_EQ(p.parse("GET / HTTP/1.1\r\nHost:   a  \r\nX-Empty:\r\nX-Tab:\tv\t\r\n\r\n"),
            ParseStatus::kComplete);
  EXPECT_EQ(p.request().header("host"), "a");
  EXPECT_EQ(p.request().header("x-empty"), "");
  EXPECT_EQ(p.request().header("x-tab"), "v");
}

TEST(HttpRequestParser, SameResultAtEverySplitPoint) {
  expect_same_at_every_split(chat_request());
  expect_same_at_every_split(
      "POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "7;ext=1\r\n{\"a\":1,\r\n"
      "A\r\n\"b\":[1,2]}\r\n"
      "0\r\nX-Trailer: t\r\n\r\n");
  expect_same_at_every_split("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  expect_same_at_every_split("GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n");
}

TEST(HttpRequestParser, IncompleteInputNeedsMore) {
  const std::string req = chat_request();
  HttpRequestParser p;
  EXPECT_EQ(p.parse(std::string_view(req).substr(0, 10)), ParseStatus::kNeedMore);
  EXPECT_FALSE(p.head_complete());
  const size_t head_end = req.find("\r\n\r\n") + 4;
  EXPECT_EQ(p.parse(std::string_view(req).substr(0, head_end)), ParseStatus::kNeedMore);
  EXPECT_TRUE(p.head_complete());
  EXPECT_EQ(p.parse(std::string_view(req).substr(0, req.size() - 1)), ParseStatus::kNeedMore);
  EXPECT_EQ(p.parse(req), ParseStatus::kComplete);
}

TEST(HttpRequestParser, PipelinedRequestsParseInTurn) {
  const std::string first = chat_request();
  const std::string second = "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string third =
      "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\n{}\r\n0\r\n\r\n";
  std::string stream = first + second + third;
  std::string_view rest = stream;
  HttpRequestParser p;
  std::vector<std::string> paths, bodies;
  while (!rest.empty()) {
    ASSERT_EQ(p.parse(rest), ParseStatus::kComplete) << rest;
    paths.emplace_back(p.request().path);
    bodies.emplace_back(p.request().body);
    rest.remove_prefix(p.consumed());
    p.reset();
  }
  EXPECT_EQ(paths,
            (std::vector<std::string>{"/v1/chat/completions", "/v1/models", "/v1/embeddings"}));
  EXPECT_EQ(bodies, (std::vector<std::string>{kChatBody, "", "{}"}));
}

TEST(HttpRequestParser, IgnoresEmptyLinesBeforeRequestLine) {
  HttpRequestParser p;
  const std::string req = "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(p.parse(req), ParseStatus::kComplete);
  EXPECT_EQ(p.request().method, "GET");
  EXPECT_EQ(p.consumed(), req.size());
}

TEST(HttpRequestParser, KeepAliveFollowsVersionAndConnection) {
  struct Case {
    const char* head;
    bool keep_alive;
  } cases[] = {
      {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, CLOSE\r\n\r\n", false},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: Keep-Alive, close\r\n\r\n", false},
  };
  for (const Case& c : cases) {
    HttpRequestParser p;
    ASSERT_EQ(p.parse(c.head), ParseStatus::kComplete) << c.head;
    EXPECT_EQ(p.request().keep_alive, c.keep_alive) << c.head;
  }
}

TEST(HttpRequestParser, FlagsExpectContinueOnceHeadIsComplete) {
  const std::string head =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\n"
      "Content-Length: 2\r\n\r\n";
  HttpRequestParser p;
  ASSERT_EQ(p.parse(head), ParseStatus::kNeedMore);
  ASSERT_TRUE(p.head_complete());
  EXPECT_TRUE(p.request().expect_continue);
  const std::string full = head + "{}";
  ASSERT_EQ(p.parse(full), ParseStatus::kComplete);
  EXPECT_EQ(p.request().body, "{}");
}

TEST(HttpRequestParser, DecodesChunkedBodyWithExtensionsAndTrailers) {
  const std::string req =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "5 ; name=\"quoted value\"\r\nhello\r\n"
      "1\r\n \r\n"
      "5\r\nworld\r\n"
      "0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n"
      "NEXT";
  HttpRequestParser p;
  ASSERT_EQ(p.parse(req), ParseStatus::kComplete);
  EXPECT_TRUE(p.request().chunked);
  EXPECT_FALSE(p.request().content_length.has_value());
  EXPECT_EQ(p.request().body, "hello world");
  EXPECT_EQ(p.consumed(), req.size() - 4);
}

struct ErrorCase {
  const char* name;
  std::string request;
  int status;
};

void expect_errors(const std::vector<ErrorCase>& cases, HttpLimits limits = {}) {
  for (const ErrorCase& c : cases) {
    HttpRequestParser p(limits);
    EXPECT_EQ(p.parse(c.request), ParseStatus::kError) << c.name;
    EXPECT_EQ(p.error().status, c.status) << c.name << ": " << p.error().message;
    EXPECT_FALSE(p.error().message.empty()) << c.name;
    // An error is final: feeding more does not revive the parser.
    EXPECT_EQ(p.parse(c.request + "\r\n\r\n"), ParseStatus::kError) << c.name;
  }
}

TEST(HttpRequestParser, RefusesSmugglingVectorsWith400) {
  expect_errors({
      {"CL and TE",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"TE and CL",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
       400},
      {"differing CLs",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400},
      {"differing CL list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd", 400},
      {"CL letters", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400},
      {"CL sign", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc", 400},
      {"CL negative", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
      {"CL inner space", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\n", 400},
      {"CL empty", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400},
      {"CL overflow",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400},
      {"CL hex", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", 400},
      {"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  continued\r\n\r\n", 400},
      {"obs-fold tab", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tcontinued\r\n\r\n", 400},
      {"bare CR in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r2\r\n\r\n", 400},
      {"bare CR in request line", "GET /\r HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"bare LF", "GET / HTTP/1.1\nHost: x\n\n", 400},
      {"bare LF in headers", "GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", 400},
      {"space before colon", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\n", 400},
      {"bad name char", "GET / HTTP/1.1\r\nHost: x\r\nX(A): 1\r\n\r\n", 400},
      {"empty name", "GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n", 400},
      {"no colon", "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400},
      {"NUL in value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n"s, 400},
      {"bad method char", "GE(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"double space", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"space in target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"non-ASCII target", "GET /\xC3\xA9 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"lowercase version", "GET / http/1.1\r\nHost: x\r\n\r\n", 400},
      {"trailing junk", "GET / HTTP/1.1 x\r\nHost: x\r\n\r\n", 400},
      {"missing version", "GET /\r\nHost: x\r\n\r\n", 400},
      {"missing Host", "GET / HTTP/1.1\r\n\r\n", 400},
      {"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
      {"chunked not last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
       400},
      {"chunked twice",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
       "chunked\r\n\r\n",
       400},
      {"empty TE", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \r\n\r\n", 400},
  });
}

TEST(HttpRequestParser, AcceptsIdenticalDuplicateContentLength) {
  HttpRequestParser p;
  ASSERT_EQ(
      p.parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc"),
      ParseStatus::kComplete);
  EXPECT_EQ(p.request().body, "abc");
}

TEST(HttpRequestParser, RefusesUnsupportedTransferCodingWith501) {
  expect_errors({
      {"gzip", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"gzip, chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
       501},
      {"identity", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n", 501},
  });
}

TEST(HttpRequestParser, RefusesOtherHttpVersionsWith505) {
  expect_errors({
      {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
      {"HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505},
  });
}

TEST(HttpRequestParser, RefusesOversizedHeadsWith431) {
  HttpLimits limits;
  limits.max_head_bytes = 256;
  limits.max_headers = 4;
  expect_errors(
      {
          {"long header",
           "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(300, 'a') + "\r\n\r\n", 431},
          {"long unterminated line", "GET /" + std::string(300, 'a'), 431},
          {"too many headers", "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
           431},
          {"chunked trailers",
           "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " +
               std::string(300, 'a') + "\r\n\r\n",
           431},
      },
      limits);
  // Exactly at the limit is fine.
  const std::string at_limit = "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
  HttpRequestParser p(limits);
  EXPECT_EQ(p.parse(at_limit), ParseStatus::kComplete);
}

TEST(HttpRequestParser, HeadLimitAppliesWhileBytesTrickleIn) {
  HttpLimits limits;
  limits.max_head_bytes = 64;
  HttpRequestParser p(limits);
  std::string buf = "GET /";
  ParseStatus st = ParseStatus::kNeedMore;
  while (st == ParseStatus::kNeedMore && buf.size() < 1000) {
    buf.push_back('a');
    st = p.parse(buf);
  }
  EXPECT_EQ(st, ParseStatus::kError);
  EXPECT_EQ(p.error().status, 431);
  EXPECT_EQ(buf.size(), 65u);
}

// seed-defect: 001-8 (body size limit part: refused from Content-Length before any body byte,
// and during chunked decoding as soon as a chunk size would cross the cap)
TEST(HttpRequestParser, RefusesOversizedBodiesWith413) {
  HttpLimits limits;
  limits.max_body_bytes = 10;
  HttpRequestParser p(limits);
  ASSERT_EQ(p.parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n"),
            ParseStatus::kError);
  EXPECT_EQ(p.error().status, 413);
  EXPECT_TRUE(p.head_complete());

  expect_errors(
      {
          {"chunk over cap",
           "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n", 413},
          {"chunks add up over cap",
           "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\naaaaaa\r\n5\r\n",
           413},
      },
      limits);

  HttpRequestParser ok(limits);
  EXPECT_EQ(ok.parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\naaaaa\r\n5\r\nbbbbb\r\n0\r\n\r\n"),
            ParseStatus::kComplete);
  EXPECT_EQ(ok.request().body, "aaaaabbbbb");
}

// Uploads (the caller's upload paths) have a cap of their own, by Content-Length and chunked.
TEST(HttpRequestParser, UploadPathsHaveTheirOwnBodyCap) {
  HttpLimits limits;
  limits.max_body_bytes = 10;
  limits.max_upload_bytes = 20;
  limits.is_upload_path = [](std::string_view path) { return path.substr(0, 7) == "/upload"; };
  const std::string body15(15, 'x');
  HttpRequestParser upload(limits);
  // The parsed request views this buffer: it must outlive the checks.
  const std::string upload_bytes =
      "POST /upload?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\n\r\n" + body15;
  ASSERT_EQ(upload.parse(upload_bytes), ParseStatus::kComplete);
  EXPECT_EQ(upload.request().body, body15);

  HttpRequestParser json(limits);
  ASSERT_EQ(json.parse("POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\n\r\n"),
            ParseStatus::kError);
  EXPECT_EQ(json.error().status, 413);
  EXPECT_FALSE(json.error().upload);
  EXPECT_EQ(json.error().message, "request body exceeds max_body_bytes");

  HttpRequestParser big(limits);
  ASSERT_EQ(big.parse("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 21\r\n\r\n"),
            ParseStatus::kError);
  EXPECT_TRUE(big.error().upload);
  EXPECT_EQ(big.error().message, "request body exceeds max_upload_bytes");

  HttpRequestParser chunked(limits);
  EXPECT_EQ(chunked.parse("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "f\r\n" +
                          body15 + "\r\n0\r\n\r\n"),
            ParseStatus::kComplete);
  HttpRequestParser chunked_big(limits);
  EXPECT_EQ(chunked_big.parse("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                              "\r\nf\r\n" +
                              body15 + "\r\n6\r\n"),
            ParseStatus::kError);
  EXPECT_TRUE(chunked_big.error().upload);
}

TEST(HttpRequestParser, RefusesMalformedChunking) {
  expect_errors({
      {"size overflow",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
       "10000000000000000\r\n",
       400},
      {"size overflow under cap",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
       "fffffffffffffffff\r\n",
       400},
      {"not hex", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"empty size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 400},
      {"negative size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
       400},
      {"missing data CRLF",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
       "2\r\nabc\r\n0\r\n\r\n",
       400},
      {"bare LF after size",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
       "2\nab\r\n0\r\n\r\n",
       400},
      {"obs-fold trailer",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
       "0\r\n folded\r\n\r\n",
       400},
      {"CTL in extension",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
       "1;a\x01\r\nx\r\n0\r\n\r\n",
       400},
  });
}

TEST(HttpRequestParser, ResetReusesTheParserForTheNextRequest) {
  HttpRequestParser p;
  const std::string chunked =
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n";
  ASSERT_EQ(p.parse(chunked), ParseStatus::kComplete);
  p.reset();
  EXPECT_FALSE(p.head_complete());
  ASSERT_EQ(p.parse("GET /b HTTP/1.0\r\n\r\n"), ParseStatus::kComplete);
  const HttpRequest& r = p.request();
  EXPECT_EQ(r.path, "/b");
  EXPECT_EQ(r.body, "");
  EXPECT_FALSE(r.chunked);
  EXPECT_FALSE(r.expect_continue);
  EXPECT_FALSE(r.content_length.has_value());
  EXPECT_EQ(r.version_minor, 0);
  EXPECT_EQ(r.headers.size(), 0u);
}

TEST(HttpRequestParser, ViewsFollowTheBufferWhenItMoves) {
  const std::string req = chat_request();
  HttpRequestParser p;
  std::string first = req.substr(0, req.size() - 5);
  ASSERT_EQ(p.parse(first), ParseStatus::kNeedMore);
  ASSERT_TRUE(p.head_complete());
  std::string moved = req;          // a different allocation, as after a buffer grows
  first.assign(first.size(), 'X');  // poison the old buffer
  ASSERT_EQ(p.parse(moved), ParseStatus::kComplete);
  EXPECT_EQ(p.request().method, "POST");
  EXPECT_EQ(p.request().header("Host"), "gateway.local:8080");
  EXPECT_EQ(p.request().body, kChatBody);
  EXPECT_GE(p.request().method.data(), moved.data());
  EXPECT_LT(p.request().method.data(), moved.data() + moved.size());
}

}  // namespace
}  // namespace ringgate::protocol
