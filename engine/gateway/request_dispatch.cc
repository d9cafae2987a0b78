// A parsed request enters the pipeline here: the session hands the stages the request and the
// shard's services, answers what a stage decided, and forwards (proxy) what every stage let by.
#include "engine/gateway/client_session.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/shard.h"

namespace ringgate::gateway {

io::Task<void> ClientSession::handle_request() {
  const protocol::HttpRequest& req = parser_.request();
  keep_alive_ = req.keep_alive;
  shard_.counters().requests.add();
  rq_.reset();
  rq_.http = &req;
  rq_.start_ms = now_ms();
  // The body sits inside in_; what follows it in the buffer lets simdjson skip a copy.
  rq_.body_padding =
      req.chunked ? 0 : in_.capacity() - size_t(req.body.data() + req.body.size() - in_.data());
  pipeline::Verdict v = co_await pipeline::run(rq_, shard_.services(), *this);
  if (!v.goes_on()) co_await answer(v);
}

io::Task<void> ClientSession::answer(const pipeline::Verdict& v) {
  extra_headers_ = v.extra_headers();
  if (v.kind() == pipeline::Verdict::Kind::kError) {
    co_await respond_error(v.api_error());
  } else {
    co_await respond(v.status(), v.content_type(), v.body());
  }
}

io::Task<void> ClientSession::forward(pipeline::RequestContext& rq) { co_await proxy(rq.route); }

}  // namespace ringgate::gateway
