// One client connection on a shard, as one coroutine: read a request, answer it (locally or by
// proxying), repeat while keep-alive holds. Everything it touches is shard-local.
#pragma once

#include <simdjson.h>
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/runtime.h"
#include "engine/io/ring.h"
#include "engine/io/task.h"
#include "protocol/http_request_parser.h"
#include "protocol/http_response_parser.h"
#include "protocol/sse_boundary.h"

namespace ringgate::gateway {

class Shard;
class UpstreamConnection;

// Which API the client speaks decides the shape of every error it gets.
enum class Front { kOpenAi, kAnthropic };

// Where a request goes once it is validated.
struct Route {
  config::UpstreamId upstream_id = 0;  // the key of the shard's pool, TLS context, authority
  const config::Upstream* upstream = nullptr;
  const config::Model* model = nullptr;  // nullptr in pass-through mode
  std::string_view upstream_suffix;      // path after /v1, e.g. "/chat/completions"
  std::string_view requested_model;      // as the client wrote it (alias included)
  bool client_wants_stream = false;
  bool include_usage = false;
  simdjson::dom::element document;  // the body, parsed once at dispatch (null when not JSON)
};

// Why a stream ended early when one upstream event passed [server] max_sse_event_bytes; the client
// reads it in the final error event, relayed and translated streams alike.
inline constexpr const char* kSseEventTooLarge =
    "upstream stream event exceeds max_sse_event_bytes";

// Client API -> upstream API, when they differ.
enum class Translation { kNone, kOpenAiClientToAnthropic, kAnthropicClientToOpenAi };

class ClientSession {
 public:
  ClientSession(Shard& shard, int fd);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;

  io::Task<void> run();
  int fd() const { return fd_; }
  // Waiting for the next request (nothing in flight): safe to close on drain.
  bool idle() const { return idle_; }
  // Cuts the connection: pending operations on it complete with errors.
  void abort();

 private:
  enum class ReadOutcome { kRequest, kClosed };

  io::Task<void> serve_requests();
  io::Task<ReadOutcome> read_request();
  io::Task<void> handle_request();
  io::Task<void> proxy(const Route& route);
  io::Task<bool> send_all(iovec* iov, int iovcnt);
  io::Task<void> respond(int status, std::string_view content_type, std::string_view body);
  io::Task<void> respond_error(int status, std::string_view message, std::string_view code = {},
                               std::string_view param = {});
  void build_head(int status, std::string_view content_type, size_t content_length);
  // "Connection: close" on a last response, "keep-alive" where HTTP/1.0 needs it said.
  void append_connection_header(std::string& head) const;
  // HTTP/1.0 clients cannot read chunked bodies: a body of unknown length ends at the close.
  bool client_reads_chunked() const;
  bool answering_head() const;
  void choose_request_id();
  uint32_t write_timeout_ms() const;

  // proxy() helpers
  // How the body we relay is delimited for the client.
  enum class BodyFraming { kLength, kChunked, kUntilClose, kNone };
  BodyFraming client_framing(const protocol::HttpResponseParser& rp, bool head_request) const;
  void build_client_head(const protocol::HttpResponseHead& uh, BodyFraming framing);
  void build_upstream_head(const Route& route, std::string_view suffix, size_t body_len);
  void reset_sse_relay(size_t max_event_bytes);
  // Sends pieces_; an SSE stream only in whole events. Sets `stream_error` when an event is over
  // the cap (the events before it and the head have gone out; the caller ends the stream).
  io::Task<bool> forward_pieces(bool chunked, bool whole_events, bool last, const char*& stream_error);
  io::Task<bool> send_pieces(bool chunked, bool last);
  // Reads the rest of a response whose head is parsed, translating it into the client's API.
  // Returns true when the upstream connection ended cleanly (reusable).
  io::Task<bool> relay_translated(const Route& route, UpstreamConnection& conn, std::string& ubuf,
                                  uint64_t total_deadline);

  Shard& shard_;
  int fd_;
  ClientSession* prev_ = nullptr;
  ClientSession* next_ = nullptr;
  friend class Shard;

  std::string in_;  // bytes of the current (and any pipelined) request; pooled while idle
  protocol::HttpRequestParser parser_;
  std::string head_;           // response head being written to the client
  std::string upstream_head_;  // request head being written upstream
  std::string body_rewrite_;   // request body when the model name is rewritten or translated
  std::string translated_;     // translated response bytes on their way to the client
  Translation translation_ = Translation::kNone;
  std::string response_format_tool_;  // see providers::TranslateResult
  std::string request_id_;
  // The snapshot this request runs on, from its start to its end, whatever reloads happen.
  std::shared_ptr<const config::Runtime> runtime_;
  std::string scratch_;    // small per-request scratch (error bodies)
  // Whole header lines ("Allow: POST\r\n") the next build_head() adds, then forgets; views of
  // static strings only.
  std::string_view extra_headers_;
  std::string sse_carry_;  // the unfinished tail of an SSE event, until its end arrives
  protocol::SseBoundaryScanner sse_scan_;      // where the relayed stream's events end
  std::vector<std::string_view> sse_tail_;     // the bytes after the last boundary, while sending
  protocol::HttpResponseParser upstream_parser_;
  std::vector<std::string_view> pieces_;  // body pieces of the last upstream read
  std::vector<iovec> iov_;
  bool head_pending_ = false;  // the response head is built but not yet sent
  Front front_ = Front::kOpenAi;
  bool idle_ = true;
  bool aborted_ = false;
  bool keep_alive_ = true;
  bool client_gone_ = false;
  io::HangupWatch hangup_;  // armed at the first proxied request, stopped when the session ends
  int upstream_fd_ = -1;    // the upstream socket in use, so a hangup can cancel its I/O
  uint64_t request_start_ms_ = 0;
  uint64_t requests_served_ = 0;
};

}  // namespace ringgate::gateway
