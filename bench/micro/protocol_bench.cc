// Throughput of the protocol layer's hot-path codecs on realistic LLM API traffic.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "protocol/chunked_encoder.h"
#include "protocol/http_request_parser.h"
#include "protocol/http_response_parser.h"
#include "protocol/json_chat_request.h"
#include "protocol/sse_boundary.h"
#include "protocol/sse_framer.h"

namespace ringgate::protocol {
namespace {

std::string chat_body() {
  std::string body =
      R"({"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},)"
      R"("max_tokens":512,"temperature":0.7,"messages":[)"
      R"({"role":"system","content":"You are a helpful assistant that answers concisely."},)";
  for (int i = 0; i < 4; ++i) {
    body += R"({"role":"user","content":"Explain how io_uring differs from epoll for a proxy )"
            R"(that forwards streaming responses, with attention to syscalls per request."},)";
    body += R"({"role":"assistant","content":"io_uring batches submissions and completions in )"
            R"(shared rings, so one syscall can cover many operations."},)";
  }
  body += R"({"role":"user","content":"Thanks!"}]})";
  return body;
}

std::string chat_request(const std::string& body) {
  return "POST /v1/chat/completions HTTP/1.1\r\n"
         "Host: api.gateway.internal:8080\r\n"
         "Accept-Encoding: gzip, deflate\r\n"
         "Connection: keep-alive\r\n"
         "Accept: application/json\r\n"
         "Content-Type: application/json\r\n"
         "User-Agent: OpenAI/Python 1.40.0\r\n"
         "X-Stainless-Lang: python\r\n"
         "X-Stainless-Package-Version: 1.40.0\r\n"
         "X-Stainless-OS: Linux\r\n"
         "X-Stainless-Arch: x64\r\n"
         "X-Stainless-Runtime: CPython\r\n"
         "X-Stainless-Runtime-Version: 3.11.9\r\n"
         "Authorization: Bearer rg-0123456789abcdef0123456789abcdef\r\n"
         "X-Request-ID: 5f0c6a0e-8f0b-4c57-9d0e-2b1f6f3c9a11\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string openai_event(int i) {
  return "data: {\"id\":\"chatcmpl-AbCdEf123\",\"object\":\"chat.completion.chunk\",\"created\":"
         "1718000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\","
         "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token" +
         std::to_string(i) + "\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
}

std::string openai_stream(int events) {
  std::string s;
  for (int i = 0; i < events; ++i) s += openai_event(i);
  s += "data: [DONE]\n\n";
  return s;
}

void BM_RequestParser_ChatCompletion(benchmark::State& state) {
  const std::string req = chat_request(chat_body());
  HttpRequestParser parser;
  for (auto _ : state) {
    parser.reset();
    ParseStatus st = parser.parse(req);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(parser.request().body.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * req.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_RequestParser_ChatCompletion);

// The head arrives in two reads, so the parser resumes instead of starting over.
void BM_RequestParser_SplitHead(benchmark::State& state) {
  const std::string req = chat_request(chat_body());
  const std::string_view first = std::string_view(req).substr(0, 300);
  HttpRequestParser parser;
  for (auto _ : state) {
    parser.reset();
    benchmark::DoNotOptimize(parser.parse(first));
    benchmark::DoNotOptimize(parser.parse(req));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * req.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_RequestParser_SplitHead);

void BM_RequestParser_ChunkedBody(benchmark::State& state) {
  const std::string body = chat_body();
  std::string req =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  for (size_t off = 0; off < body.size(); off += 256) {
    append_chunk(req, std::string_view(body).substr(off, 256));
  }
  append_last_chunk(req);
  HttpRequestParser parser;
  for (auto _ : state) {
    parser.reset();
    benchmark::DoNotOptimize(parser.parse(req));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * req.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_RequestParser_ChunkedBody);

// A streamed upstream response: head, then the chunked SSE body fed in reads of range(0) bytes.
void BM_ResponseParser_ChunkedSse(benchmark::State& state) {
  const size_t read_size = static_cast<size_t>(state.range(0));
  const std::string head =
      "HTTP/1.1 200 OK\r\nDate: Mon, 10 Jun 2024 12:00:00 GMT\r\n"
      "Content-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n"
      "Connection: keep-alive\r\nopenai-processing-ms: 102\r\nx-request-id: req_abc123\r\n"
      "cache-control: no-cache, must-revalidate\r\n\r\n";
  std::string body;
  for (int i = 0; i < 100; ++i) append_chunk(body, openai_event(i));
  append_last_chunk(body);
  HttpResponseParser parser;
  std::vector<std::string_view> out;
  out.reserve(64);
  for (auto _ : state) {
    parser.reset();
    out.clear();
    benchmark::DoNotOptimize(parser.feed(head, out));
    for (size_t off = 0; off < body.size(); off += read_size) {
      out.clear();
      benchmark::DoNotOptimize(parser.feed(std::string_view(body).substr(off, read_size), out));
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (head.size() + body.size())));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ResponseParser_ChunkedSse)->Arg(512)->Arg(16384);

// SSE framing of an OpenAI stream read in range(0)-byte pieces; items are events.
void BM_SseFramer_OpenAiStream(benchmark::State& state) {
  const size_t read_size = static_cast<size_t>(state.range(0));
  const std::string stream = openai_stream(200);
  SseFramer framer;
  size_t events = 0;
  for (auto _ : state) {
    framer.reset();
    for (size_t off = 0; off < stream.size(); off += read_size) {
      framer.feed(std::string_view(stream).substr(off, read_size), [&](const SseEvent& e) {
        benchmark::DoNotOptimize(e.data.data());
        ++events;
      });
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
  state.SetItemsProcessed(static_cast<int64_t>(events));
}
BENCHMARK(BM_SseFramer_OpenAiStream)->Arg(256)->Arg(4096)->Arg(1 << 20);

// One SSE event of range(0) MiB that has no blank line until its very end (data lines of 1 KiB),
// as the relay sees it: 16 KiB reads. Linear work means the same bytes/s at every size.
std::string long_event(size_t mib) {
  const std::string line = "data: " + std::string(1017, 'x') + "\n";
  std::string s;
  s.reserve((mib << 20) + line.size());
  while (s.size() < (mib << 20)) s += line;
  return s + "\n";
}
constexpr size_t kRelayRead = 16384;

void BM_SseBoundaryScanner_LongEvent(benchmark::State& state) {
  const std::string event = long_event(size_t(state.range(0)));
  SseBoundaryScanner scanner;
  size_t found = 0;
  for (auto _ : state) {
    scanner.reset(event.size());
    for (size_t off = 0; off < event.size(); off += kRelayRead) {
      found += scanner.feed(std::string_view(event).substr(off, kRelayRead));
    }
  }
  if (found == 0) state.SkipWithError("the event's end was not found");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * event.size()));
}
BENCHMARK(BM_SseBoundaryScanner_LongEvent)->Arg(1)->Arg(4)->Arg(16)->Unit(benchmark::kMillisecond);

// The relay's search before SseBoundaryScanner, kept as the reference: the whole carried event
// searched again on every read (quadratic in the event's length).
void BM_SseCarryRfind_LongEvent(benchmark::State& state) {
  const std::string event = long_event(size_t(state.range(0)));
  std::string carry;
  size_t found = 0;
  for (auto _ : state) {
    carry.clear();
    for (size_t off = 0; off < event.size(); off += kRelayRead) {
      carry.append(std::string_view(event).substr(off, kRelayRead));
      const size_t a = carry.rfind("\n\n"), b = carry.rfind("\r\n\r\n");
      found += (a != std::string::npos) + (b != std::string::npos);
    }
  }
  if (found == 0) state.SkipWithError("the event's end was not found");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * event.size()));
}
BENCHMARK(BM_SseCarryRfind_LongEvent)->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond);

// Boundary scanning of an ordinary OpenAI stream in 16 KiB reads; items are events.
void BM_SseBoundaryScanner_OpenAiStream(benchmark::State& state) {
  const std::string stream = openai_stream(200);
  SseBoundaryScanner scanner;
  size_t found = 0;
  for (auto _ : state) {
    scanner.reset(1 << 20);
    for (size_t off = 0; off < stream.size(); off += kRelayRead) {
      found += scanner.feed(std::string_view(stream).substr(off, kRelayRead));
    }
  }
  benchmark::DoNotOptimize(found);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 200));
}
BENCHMARK(BM_SseBoundaryScanner_OpenAiStream);

void BM_JsonChatRequest(benchmark::State& state) {
  const std::string body = chat_body();
  simdjson::dom::parser parser;
  ChatRequestView view;
  JsonError err;
  for (auto _ : state) {
    bool ok = parse_chat_request(parser, body, view, err);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(view.model.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_JsonChatRequest);

void BM_ChunkedEncoder_SizeLine(benchmark::State& state) {
  size_t n = 1;
  for (auto _ : state) {
    ChunkSizeLine line = chunk_size_line(n);
    benchmark::DoNotOptimize(line.bytes);
    n = n * 3 + 1;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ChunkedEncoder_SizeLine);

}  // namespace
}  // namespace ringgate::protocol

BENCHMARK_MAIN();
