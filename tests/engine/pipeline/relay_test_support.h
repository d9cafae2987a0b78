// Runs the response writer and the body relay without a ring: the client is a string, the
// upstream a script of reads, and a task runs to its end inside the test's call.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "engine/io/task.h"
#include "engine/pipeline/client_sink.h"
#include "engine/pipeline/upstream_body.h"
#include "protocol/chunked_encoder.h"

namespace ringgate::pipeline::testing {

// The client: every byte sent, in order. After `refuse_after` sends it is gone.
struct StringSink final : ClientSink {
  std::string wire;
  int sends = 0, refuse_after = 1 << 30;
  bool keep_alive = true, http11 = true, head = false;
  std::vector<int> counted;

  io::Task<bool> send(iovec* iov, int iovcnt) override {
    if (sends++ >= refuse_after) co_return false;
    for (int i = 0; i < iovcnt; ++i)
      wire.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
    co_return true;
  }
  bool closing() const override { return !keep_alive; }
  void close_after_response() override { keep_alive = false; }
  bool reads_chunked() const override { return http11; }
  bool head_request() const override { return head; }
  void count_response(int status) override { counted.push_back(status); }
};

// The upstream: each read gives the next step's pieces (or its failure); the step marked last
// completes the body.
struct ScriptedBody final : UpstreamBody {
  struct Step {
    std::vector<std::string> pieces;
    BodyRead result = BodyRead::kData;
    bool last = false;
  };
  std::deque<Step> steps;
  std::vector<std::string> current;
  bool done = false;
  int reads = 0;
  std::vector<uint32_t> heartbeats_asked;  // each read's heartbeat_ms

  io::Task<BodyRead> read(std::vector<std::string_view>& pieces, uint32_t heartbeat_ms) override {
    ++reads;
    heartbeats_asked.push_back(heartbeat_ms);
    pieces.clear();
    if (steps.empty()) co_return BodyRead::kMalformed;  // the script ran out: a cut upstream
    Step s = std::move(steps.front());
    steps.pop_front();
    current = std::move(s.pieces);
    for (const std::string& p : current) pieces.push_back(p);
    done = s.last;
    co_return s.result;
  }
  bool complete() const override { return done; }
};

// Runs `t` to its end; every sink and body here completes at once, so it ends inside this call.
template <class T>
T run_now(io::Task<T> t) {
  std::optional<T> out;
  [](io::Task<T> task, std::optional<T>& o) -> io::Detached { o = co_await task; }(std::move(t),
                                                                                   out);
  return *out;
}
inline void run_now(io::Task<void> t) {
  bool ended = false;
  [](io::Task<void> task, bool& e) -> io::Detached {
    co_await task;
    e = true;
  }(std::move(t), ended);
  if (!ended) std::abort();
}

// The payloads of a chunked body, one string per chunk; "<end>" for the last chunk.
inline std::vector<std::string> chunks_of(std::string_view body) {
  std::vector<std::string> out;
  while (!body.empty()) {
    size_t eol = body.find("\r\n");
    size_t n = std::stoul(std::string(body.substr(0, eol)), nullptr, 16);
    if (n == 0) {
      out.push_back("<end>");
      break;
    }
    out.emplace_back(body.substr(eol + 2, n));
    body.remove_prefix(eol + 2 + n + 2);
  }
  return out;
}

}  // namespace ringgate::pipeline::testing
