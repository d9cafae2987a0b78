// Every byte a client receives goes through one ResponseWriter: whole answers (local bodies,
// errors in the client's API shape), heads of relayed and translated bodies, the body's pieces
// in their framing, and the error event that ends a broken stream. The lines every head carries
// (request id, the request's response_headers, Connection) are added in one place,
// response_head.cc, so a header that must be on every answer cannot be missed by one path.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/io/task.h"
#include "engine/pipeline/client_sink.h"
#include "engine/pipeline/request_context.h"
#include "engine/pipeline/response_head.h"
#include "engine/pipeline/verdict.h"
#include "protocol/api_error.h"
#include "protocol/http_response_parser.h"

namespace ringgate::pipeline {

class ResponseWriter {
 public:
  // One per connection: `rq` is the context the session resets between requests.
  ResponseWriter(ClientSink& sink, RequestContext& rq) : sink_(sink), rq_(rq) {}
  ResponseWriter(const ResponseWriter&) = delete;

  // Header lines ("Retry-After: 1\r\n") for the next head only; static strings only.
  void add_once(std::string_view lines) { once_ = lines; }

  io::Task<void> respond(int status, std::string_view content_type, std::string_view body);
  io::Task<void> respond_error(const protocol::ApiError& e);
  io::Task<void> answer(const Verdict& v);
  // "100 Continue": an interim head, before the request's body is read.
  io::Task<bool> send_continue();

  // The head of a body sent in pieces: built now, sent with the first send(). The upstream's
  // status and the headers `keep(name)` accepts; framing and the common lines are ours, so the
  // head describes exactly the bytes that follow it.
  template <class Keep>
  void relay_head(const protocol::HttpResponseHead& uh, BodyFraming framing, Keep&& keep) {
    begin_head(uh.status);
    for (const protocol::HttpHeader& hd : uh.headers) {
      if (!keep(hd.name)) continue;
      append_header(head_, hd.name, hd.value);
      // An Anthropic upstream's own request id, passed through, is the one its client reads.
      if (protocol::ascii_iequals(hd.name, "request-id")) upstream_request_id_ = true;
    }
    end_head(framing, uh.content_length.value_or(0));
  }
  // A 200 event stream of unknown length (a translated stream): chunked, or to the close.
  void sse_head();
  // The pending head (if any), then `pieces` as the next part of the body, chunk-framed when the
  // head said chunked; `last` ends a chunked body. False: the client is gone.
  io::Task<bool> send(std::span<const std::string_view> pieces, bool last);
  // Ends a stream of whole SSE events with a final error event in the client's shape and the
  // body's end. Nothing once the head never went out (a head alone would pass for an answer).
  io::Task<bool> end_stream_with_error(const protocol::ApiError& e);
  BodyFraming framing() const { return framing_; }

 private:
  void begin_head(int status);
  void end_head(BodyFraming framing, size_t length);

  ClientSink& sink_;
  RequestContext& rq_;
  std::string_view once_;
  std::string head_;  // kept between responses for its capacity
  std::vector<iovec> iov_;
  BodyFraming framing_ = BodyFraming::kLength;
  bool head_pending_ = false;
  bool upstream_request_id_ = false;  // the head being built relays the upstream's request-id
};

}  // namespace ringgate::pipeline
