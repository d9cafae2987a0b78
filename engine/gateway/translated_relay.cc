// The response leg of a translated request (OpenAI client <-> Anthropic upstream, or the
// reverse). Streams are translated event by event as they arrive: nothing is held beyond the
// current SSE event. Non-streaming responses and upstream errors are read whole (bounded by
// max_response_bytes), translated, and sent in the client's shape with the right status.
#include <cerrno>

#include "engine/config/config.h"
#include "engine/gateway/client_session.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/shard.h"
#include "protocol/chunked_encoder.h"
#include "protocol/error_body.h"
#include "protocol/sse_framer.h"
#include "providers/provider_adapter.h"

namespace ringgate::gateway {

io::Task<bool> ClientSession::relay_translated(const Route& route, UpstreamConnection& conn,
                                               std::string& ubuf, uint64_t total_deadline) {
  const config::Config& cfg = rq_.runtime->config();  // the request's snapshot
  protocol::HttpResponseParser& rp = upstream_parser_;
  const protocol::HttpResponseHead& uh = rp.head();
  const int status = uh.status;
  const bool streaming = status >= 200 && status < 300 &&
                         uh.header("content-type").substr(0, 17) == "text/event-stream";

  if (!streaming) {
    // Whole body first: a translated JSON document cannot be emitted before it is complete.
    translated_.clear();
    for (std::string_view p : pieces_) translated_.append(p);
    const char* failure = nullptr;
    int failure_status = 502;
    while (!rp.complete()) {
      int rc = 0;
      protocol::ParseStatus st = co_await read_body(
          conn, ubuf, deadline_within(cfg.timeouts.stream_idle_ms, total_deadline), rc);
      if (client_gone_) co_return false;
      if (st == protocol::ParseStatus::kError) {
        failure = is_timeout(rc) ? "upstream response timed out"
                                 : "upstream response was cut or malformed";
        if (is_timeout(rc)) failure_status = 504;
        break;
      }
      for (std::string_view p : pieces_) translated_.append(p);
    }
    if (failure) {
      shard_.counters().upstream_errors.add();
      rq_.progress.upstream_failed = true;
      co_await out_.respond_error({failure_status, failure, protocol::ErrorCode::kUpstreamError});
      co_return false;
    }
    providers::TranslateResult tr;
    if (status >= 200 && status < 300) {
      providers::ResponseOptions ro;
      ro.model.assign(route.requested_model);
      ro.response_format_tool = response_format_tool_;
      tr = providers::translate_response(translation_, translated_, ro);
      if (!tr.ok) {
        co_await out_.respond_error(
            {502, "upstream response could not be translated: " + tr.error_message,
             protocol::ErrorCode::kUpstreamError});
        co_return true;
      }
    } else {
      tr = providers::translate_error(translation_, status, translated_);
    }
    std::string out = std::move(tr.body);
    co_await out_.respond(tr.ok && status < 300 ? status : (tr.status ? tr.status : status),
                          "application/json", out);
    co_return true;
  }

  // Streaming: SSE framer -> translator -> one chunk per upstream read.
  providers::StreamOptions so;
  so.model.assign(route.requested_model);
  so.include_usage = route.include_usage;
  so.response_format_tool = response_format_tool_;
  providers::StreamTranslator stream(translation_, std::move(so));
  // An event the framer drops for size ends the stream there with the client's error event:
  // translating on past the hole would hand the client a partial answer as a complete one.
  protocol::SseFramer framer(cfg.server.max_sse_event_bytes);
  bool event_lost = false;
  auto translate = [&](std::string_view piece) {
    framer.feed(
        piece,
        [&](const protocol::SseEvent& e) {
          if (!event_lost) stream.on_event(e.event, e.data, translated_);
        },
        [&] {
          if (event_lost) return;
          event_lost = true;
          shard_.counters().sse_events_oversized.add();
          shard_.counters().upstream_errors.add();  // as the relayed path counts it
          stream.fail(translated_, kSseEventTooLarge);
        });
  };
  auto finish = [&] { stream.finish(translated_); };

  out_.sse_head();  // HTTP/1.0: the stream ends when we close

  translated_.clear();
  for (std::string_view p : pieces_) translate(p);
  bool upstream_ok = !event_lost;
  bool last = rp.complete() || event_lost;
  if (last) finish();
  pieces_.assign(1, translated_);
  bool ok = co_await out_.send(pieces_, last);
  while (ok && !last) {
    int rc = 0;
    protocol::ParseStatus st = co_await read_body(
        conn, ubuf, deadline_within(cfg.timeouts.stream_idle_ms, total_deadline), rc);
    if (client_gone_) co_return false;
    translated_.clear();
    if (st == protocol::ParseStatus::kError) {
      // finish() on an unfinished stream emits the client's error event and a clean end.
      upstream_ok = false;
      rq_.progress.upstream_failed = true;
      shard_.counters().upstream_errors.add();
      if (is_timeout(rc)) shard_.counters().timeouts.add();
      finish();
      last = true;
    } else {
      for (std::string_view p : pieces_) translate(p);
      if (event_lost) upstream_ok = false;  // the rest of the response stays unread
      last = rp.complete() || event_lost;
      if (last) finish();
    }
    pieces_.assign(1, translated_);
    ok = co_await out_.send(pieces_, last);
  }
  if (!upstream_ok) keep_alive_ = keep_alive_ && ok;
  co_return ok&& upstream_ok;
}

}  // namespace ringgate::gateway
