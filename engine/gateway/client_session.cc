#include "engine/gateway/client_session.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "engine/admission/ip_address.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/shard.h"
#include "engine/io/iovec_cursor.h"
#include "engine/pipeline/stages.h"
#include "protocol/api_error.h"
#include "protocol/error_body.h"
#include "protocol/json_chat_request.h"

namespace ringgate::gateway {

using protocol::ParseStatus;

ClientSession::ClientSession(Shard& shard, int fd, io::TlsServerContext* tls)
    : shard_(shard),
      fd_(fd),
      parser_(protocol::HttpLimits{
          shard.config().server.max_head_bytes, shard.config().server.max_headers,
          shard.config().server.max_body_bytes, shard.config().server.max_upload_bytes,
          pipeline::is_upload_path}),
      accounting_tap_(shard.taps()),
      tls_(tls ? std::make_unique<io::TlsServerSession>(*tls) : nullptr),
      hangup_(shard.ring()) {
  shard_.add_session(this);
  // Once per connection: admission limits anonymous callers by address and believes
  // forwarding headers only from trusted proxies.
  sockaddr_storage peer{};
  socklen_t len = sizeof peer;
  if (getpeername(fd_, reinterpret_cast<sockaddr*>(&peer), &len) == 0) {
    rq_.peer = admission::from_sockaddr(peer);
  }
}

ClientSession::~ClientSession() {
  shard_.remove_session(this);
  shard_.buffers().give(std::move(in_));
  ::close(fd_);
}

void ClientSession::abort() {
  aborted_ = true;
  shard_.ring().cancel_fd(fd_);
  if (upstream_fd_ >= 0) shard_.ring().cancel_fd(upstream_fd_);
}

uint32_t ClientSession::write_timeout_ms() const {
  // A client that does not read for this long is gone in all but name.
  return shard_.config().timeouts.stream_idle_ms;
}

io::Task<void> ClientSession::run() {
  // No co_await inside a short-circuit condition: GCC 12 miscompiles it.
  bool serve = true;
  if (tls_) serve = co_await tls_handshake();
  if (serve) co_await serve_requests();
  if (tls_) co_await tls_close();
  co_await hangup_.stop();
}

io::Task<void> ClientSession::serve_requests() {
  for (;;) {
    ReadOutcome r = co_await read_request();
    if (r == ReadOutcome::kClosed) co_return;
    if (r == ReadOutcome::kRequest) co_await handle_request();
    complete();
    rq_.runtime.reset();  // an idle connection must not keep an old snapshot alive
    ++requests_served_;
    if (r == ReadOutcome::kRefused) co_return;
    if (!keep_alive_ || aborted_ || client_gone_ || shard_.draining()) co_return;
    // Keep any pipelined bytes; hand the buffer back to the pool when nothing is left.
    in_.erase(0, parser_.consumed());
    parser_.reset();
    if (in_.empty()) shard_.buffers().give(std::move(in_));
  }
}

io::Task<ClientSession::ReadOutcome> ClientSession::read_request() {
  // A copy: a reload while this waits may free the snapshot it came from.
  const config::Timeouts t = shard_.config().timeouts;
  uint64_t head_deadline = 0, body_deadline = 0;
  bool sent_continue = false;
  idle_ = in_.empty();
  for (;;) {
    if (!in_.empty()) {
      idle_ = false;
      if (head_deadline == 0) head_deadline = now_ms() + t.header_read_ms;
      ParseStatus st = parser_.parse(in_);
      if (st == ParseStatus::kComplete) co_return ReadOutcome::kRequest;
      if (st == ParseStatus::kError) {
        keep_alive_ = false;  // framing can no longer be trusted
        begin_request();
        choose_request_id();
        // The head is enough to tell an Anthropic client (an upload's 413, say) its own shape.
        if (parser_.head_complete()) rq_.front = pipeline::client_front(parser_.request());
        const protocol::HttpError& e = parser_.error();
        co_await out_.respond_error({e.status, e.message,
                                     e.status == 413 ? protocol::ErrorCode::kRequestTooLarge
                                     : e.status == 431
                                         ? protocol::ErrorCode::kRequestHeaderFieldsTooLarge
                                         : protocol::ErrorCode::kInvalidHttpRequest});
        co_return ReadOutcome::kRefused;
      }
      if (parser_.head_complete()) {
        if (body_deadline == 0) body_deadline = now_ms() + t.body_read_ms;
        if (parser_.request().expect_continue && !sent_continue) {
          sent_continue = true;
          if (!co_await out_.send_continue()) co_return ReadOutcome::kClosed;
        }
      }
    }
    if (shard_.draining() && idle_) co_return ReadOutcome::kClosed;
    // A new connection must send its first request as promptly as any header (slowloris);
    // between requests the keep-alive idle timeout applies.
    uint32_t timeout = idle_ && requests_served_ == 0 ? t.header_read_ms
                       : idle_                        ? t.keepalive_idle_ms
                       : !parser_.head_complete()     ? remaining_ms(head_deadline)
                                                      : remaining_ms(body_deadline);
    int res = co_await receive(timeout);
    if (res > 0) {
      // Ciphertext that decrypted to nothing yet (a record split across reads) is the start of a
      // request all the same: its deadline runs from here, so trickling a record byte by byte
      // cannot hold the connection open.
      if (in_.empty()) {
        idle_ = false;
        if (head_deadline == 0) head_deadline = now_ms() + t.header_read_ms;
      }
      continue;
    }
    // Nothing of a request arrived: close quietly (a connection opened and never used, or an
    // idle keep-alive one). A partial request gets a 408 below.
    if (res == 0 || aborted_ || shard_.draining() || idle_) {
      co_return ReadOutcome::kClosed;
    }
    if (res == -ECANCELED || res == -ETIME) {
      // Slowloris or a stalled body: tell the client why, then close.
      shard_.counters().timeouts.add();
      keep_alive_ = false;
      begin_request();
      choose_request_id();
      if (parser_.head_complete()) rq_.front = pipeline::client_front(parser_.request());
      co_await out_.respond_error({408,
                                   parser_.head_complete() ? "request body not received in time"
                                                           : "request headers not received in time",
                                   protocol::ErrorCode::kRequestTimeout});
      co_return ReadOutcome::kRefused;
    }
    co_return ReadOutcome::kClosed;
  }
}

io::Task<int> ClientSession::recv_once(uint32_t timeout_ms) {
  auto use = [this](std::string_view data) {
    if (tls_) {
      tls_->feed_ciphertext(data);
    } else {
      append_input(data);
    }
  };
  auto r = co_await io::async_recv_provided(shard_.ring(), fd_, shard_.recv_buffers().group(),
                                            timeout_ms);
  if (r.res == -ENOBUFS) {
    // Every provided buffer is in use: read into a pooled scratch buffer instead of stalling.
    // It is uninitialised and given back at once, so only the bytes received are touched (a
    // 16 KiB resize of in_ would zero-fill, and keep resident, all of it for the request).
    RawBuffer scratch = shard_.read_buffers().take();
    auto d =
        co_await io::async_recv(shard_.ring(), fd_, scratch.data(), scratch.size(), timeout_ms);
    if (d.res > 0) use(std::string_view(scratch.data(), size_t(d.res)));
    shard_.read_buffers().give(std::move(scratch));
    co_return d.res;
  }
  if (r.res > 0) {
    unsigned bid = r.flags >> IORING_CQE_BUFFER_SHIFT;
    use(shard_.recv_buffers().data(bid, unsigned(r.res)));
    shard_.recv_buffers().recycle(bid);
  }
  co_return r.res;
}

io::Task<int> ClientSession::receive(uint32_t timeout_ms) {
  if (tls_) co_return co_await tls_receive(timeout_ms);
  co_return co_await recv_once(timeout_ms);
}

void ClientSession::append_input(std::string_view data) {
  if (in_.empty() && in_.capacity() < shard_.buffers().initial_capacity()) {
    in_ = shard_.buffers().take();
  }
  in_.append(data);
}

void ClientSession::choose_request_id() {
  std::string_view given = parser_.head_complete() ? parser_.request().header("x-request-id") : "";
  if (pipeline::acceptable_request_id(given)) {
    rq_.request_id.assign(given);
  } else {
    shard_.request_ids().next(rq_.request_id);
  }
}

bool ClientSession::reads_chunked() const {
  // HTTP/1.0 clients cannot read chunked bodies: a body of unknown length ends at the close.
  return !parser_.head_complete() || parser_.request().version_minor >= 1;
}

bool ClientSession::head_request() const {
  return parser_.head_complete() && parser_.request().method == "HEAD";
}

bool ClientSession::closing() const { return !keep_alive_ || shard_.draining(); }

void ClientSession::count_response(int status) {
  ShardCounters& c = shard_.counters();
  (status < 300 ? c.responses_2xx : status < 500 ? c.responses_4xx : c.responses_5xx).add();
}

io::Task<bool> ClientSession::send(iovec* iov, int iovcnt) {
  if (tls_) co_return co_await tls_send(iov, iovcnt);
  msghdr msg{};
  while (iovcnt > 0) {
    msg.msg_iov = iov;
    msg.msg_iovlen = size_t(iovcnt);
    auto r = co_await io::async_sendmsg(shard_.ring(), fd_, &msg, write_timeout_ms());
    if (r.res <= 0) {
      client_gone_ = true;
      co_return false;
    }
    rq_.progress.bytes_out += uint64_t(r.res);
    io::advance_iov(iov, iovcnt, size_t(r.res));
  }
  co_return true;
}

}  // namespace ringgate::gateway
