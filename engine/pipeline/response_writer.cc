#include "engine/pipeline/response_writer.h"

#include "protocol/chunked_encoder.h"

namespace ringgate::pipeline {

namespace {
iovec iov_of(std::string_view s) { return {const_cast<char*>(s.data()), s.size()}; }
}  // namespace

void ResponseWriter::begin_head(int status) {
  sink_.count_response(status);
  rq_.progress.status = status;
  start_head(head_, status);
}

void ResponseWriter::end_head(BodyFraming framing, size_t length) {
  // A body that ends at the close must be the connection's last, and its head says so.
  if (framing == BodyFraming::kUntilClose) sink_.close_after_response();
  framing_ = framing;
  append_framing(head_, framing, length);
  CommonHeaders c;
  c.request_id = rq_.request_id;
  c.extra = once_;
  once_ = {};  // said once, on this head
  c.close = sink_.closing();
  c.http10 = !sink_.reads_chunked();
  c.request_headers = rq_.response_headers;
  c.anthropic_request_id = rq_.front == protocol::ApiFront::kAnthropic && !upstream_request_id_;
  upstream_request_id_ = false;
  finish_head(head_, c);
  head_pending_ = true;
}

io::Task<void> ResponseWriter::respond(int status, std::string_view content_type,
                                       std::string_view body) {
  begin_head(status);
  if (!content_type.empty()) append_header(head_, "Content-Type", content_type);
  // RFC 9110 section 8.6: never a Content-Length in a 204.
  end_head(status == 204 ? BodyFraming::kNone : BodyFraming::kLength, body.size());
  head_pending_ = false;
  iovec iov[2] = {iov_of(head_), iov_of(body)};
  // An answer to HEAD is the head alone; its Content-Length still says what GET would get.
  co_await sink_.send(iov, body.empty() || sink_.head_request() ? 1 : 2);
}

io::Task<void> ResponseWriter::respond_error(const protocol::ApiError& e) {
  std::string body = protocol::render_error_body(e, rq_.front);
  co_await respond(e.status, "application/json", body);
}

io::Task<void> ResponseWriter::answer(const Verdict& v) {
  add_once(v.extra_headers());
  if (v.kind() == Verdict::Kind::kError) {
    co_await respond_error(v.api_error());
  } else {
    co_await respond(v.status(), v.content_type(), v.body());
  }
}

io::Task<bool> ResponseWriter::send_continue() {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  iovec iov = iov_of(kContinue);
  co_return co_await sink_.send(&iov, 1);
}

void ResponseWriter::sse_head() {
  begin_head(200);
  head_.append("Content-Type: text/event-stream\r\nCache-Control: no-cache\r\n");
  end_head(sink_.reads_chunked() ? BodyFraming::kChunked : BodyFraming::kUntilClose, 0);
}

io::Task<bool> ResponseWriter::send(std::span<const std::string_view> pieces, bool last) {
  const bool chunked = framing_ == BodyFraming::kChunked;
  iov_.clear();
  if (head_pending_) {
    iov_.push_back(iov_of(head_));
    head_pending_ = false;
  }
  size_t total = 0;
  for (std::string_view p : pieces) total += p.size();
  // An empty chunk would end the body: a send with nothing in it frames nothing.
  protocol::ChunkSizeLine line;
  if (chunked && total > 0) {
    line = protocol::chunk_size_line(total);
    iov_.push_back(iov_of(line.view()));
  }
  for (std::string_view p : pieces) {
    if (!p.empty()) iov_.push_back(iov_of(p));
  }
  if (chunked && total > 0) iov_.push_back(iov_of(protocol::kChunkEnd));
  if (chunked && last) iov_.push_back(iov_of(protocol::kLastChunk));
  if (iov_.empty()) co_return true;
  co_return co_await sink_.send(iov_.data(), int(iov_.size()));
}

io::Task<bool> ResponseWriter::end_stream_with_error(const protocol::ApiError& e) {
  if (head_pending_) co_return false;
  const std::string ev = protocol::render_error_event(e, rq_.front);
  const std::string_view piece = ev;
  co_return co_await send(std::span(&piece, 1), /*last=*/true);
}

}  // namespace ringgate::pipeline
