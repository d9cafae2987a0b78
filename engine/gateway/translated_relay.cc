// The response leg of a translated request (OpenAI client <-> Anthropic upstream, or the
// reverse). Streams are translated event by event as they arrive: nothing is held beyond the
// current SSE event. Non-streaming responses and upstream errors are read whole (bounded by
// max_response_bytes), translated, and sent in the client's shape with the right status.
#include <cerrno>
#include <optional>

#include "engine/config/config.h"
#include "engine/gateway/client_session.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/shard.h"
#include "protocol/chunked_encoder.h"
#include "protocol/error_body.h"
#include "protocol/sse_framer.h"
#include "providers/anthropic_to_openai_stream.h"
#include "providers/error_translator.h"
#include "providers/openai_to_anthropic_stream.h"
#include "providers/response_translator.h"

namespace ringgate::gateway {

namespace {
bool is_timeout(int rc) { return rc == -ECANCELED || rc == -ETIME; }
}  // namespace

io::Task<bool> ClientSession::relay_translated(const Route& route, UpstreamConnection& conn,
                                               std::string& ubuf, uint64_t total_deadline) {
  const config::Config& cfg = runtime_->config();  // the request's snapshot
  protocol::HttpResponseParser& rp = upstream_parser_;
  const protocol::HttpResponseHead& uh = rp.head();
  const int status = uh.status;
  const bool to_openai = translation_ == Translation::kOpenAiClientToAnthropic;
  const bool streaming = status >= 200 && status < 300 &&
                         uh.header("content-type").substr(0, 17) == "text/event-stream";
  auto deadline_in = [&](uint32_t ms) { return std::min(now_ms() + ms, total_deadline); };

  if (!streaming) {
    // Whole body first: a translated JSON document cannot be emitted before it is complete.
    translated_.clear();
    for (std::string_view p : pieces_) translated_.append(p);
    const char* failure = nullptr;
    int failure_status = 502;
    while (!rp.complete()) {
      int rc = co_await conn.read_some(shard_.ring(), ubuf.data(), ubuf.size(),
                                       deadline_in(cfg.timeouts.stream_idle_ms));
      if (client_gone_) co_return false;
      pieces_.clear();
      protocol::ParseStatus st = rc > 0
                                     ? rp.feed(std::string_view(ubuf.data(), size_t(rc)), pieces_)
                                 : rc == 0 ? rp.finish_eof()
                                           : protocol::ParseStatus::kError;
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
      co_await respond_error(failure_status, failure, "upstream_error");
      co_return false;
    }
    providers::TranslateResult tr;
    if (status >= 200 && status < 300) {
      providers::ResponseOptions ro;
      ro.model.assign(route.requested_model);
      ro.response_format_tool = response_format_tool_;
      tr = to_openai ? providers::anthropic_response_to_openai(translated_, ro)
                     : providers::openai_response_to_anthropic(translated_, ro);
      if (!tr.ok) {
        co_await respond_error(502,
                               "upstream response could not be translated: " + tr.error_message,
                               "upstream_error");
        co_return true;
      }
    } else {
      tr = to_openai ? providers::anthropic_error_to_openai(status, translated_)
                     : providers::openai_error_to_anthropic(status, translated_);
    }
    std::string out = std::move(tr.body);
    co_await respond(tr.ok && status < 300 ? status : (tr.status ? tr.status : status),
                     "application/json", out);
    co_return true;
  }

  // Streaming: SSE framer -> translator -> one chunk per upstream read.
  providers::StreamOptions so;
  so.model.assign(route.requested_model);
  so.include_usage = route.include_usage;
  so.response_format_tool = response_format_tool_;
  std::optional<providers::AnthropicToOpenAiStream> a2o;
  std::optional<providers::OpenAiToAnthropicStream> o2a;
  if (to_openai) {
    a2o.emplace(so);
  } else {
    o2a.emplace(so);
  }
  // An event the framer drops for size ends the stream there with the client's error event:
  // translating on past the hole would hand the client a partial answer as a complete one.
  protocol::SseFramer framer(cfg.server.max_sse_event_bytes);
  bool event_lost = false;
  auto translate = [&](std::string_view piece) {
    framer.feed(
        piece,
        [&](const protocol::SseEvent& e) {
          if (event_lost) return;
          if (a2o)
            a2o->on_event(e.event, e.data, translated_);
          else
            o2a->on_event(e.event, e.data, translated_);
        },
        [&] {
          if (event_lost) return;
          event_lost = true;
          shard_.counters().sse_events_oversized.add();
          shard_.counters().upstream_errors.add();  // as the relayed path counts it
          if (a2o)
            a2o->fail(translated_, kSseEventTooLarge);
          else
            o2a->fail(translated_, kSseEventTooLarge);
        });
  };
  auto finish = [&] {
    if (a2o)
      a2o->finish(translated_);
    else
      o2a->finish(translated_);
  };

  shard_.counters().responses_2xx.add();
  head_.clear();
  head_.append(
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n");
  const bool chunked = client_reads_chunked();
  if (chunked) head_.append("Transfer-Encoding: chunked\r\n");
  if (!chunked) keep_alive_ = false;  // HTTP/1.0: the stream ends when we close
  head_.append("X-Request-ID: ");
  head_.append(request_id_);
  head_.append("\r\n");
  append_connection_header(head_);
  head_.append("\r\n");
  head_pending_ = true;

  translated_.clear();
  for (std::string_view p : pieces_) translate(p);
  bool upstream_ok = !event_lost;
  bool last = rp.complete() || event_lost;
  if (last) finish();
  pieces_.assign(1, translated_);
  bool ok = co_await send_pieces(chunked, last);
  while (ok && !last) {
    int rc = co_await conn.read_some(shard_.ring(), ubuf.data(), ubuf.size(),
                                     deadline_in(cfg.timeouts.stream_idle_ms));
    if (client_gone_) co_return false;
    pieces_.clear();
    protocol::ParseStatus st = rc > 0 ? rp.feed(std::string_view(ubuf.data(), size_t(rc)), pieces_)
                               : rc == 0 ? rp.finish_eof()
                                         : protocol::ParseStatus::kError;
    translated_.clear();
    if (st == protocol::ParseStatus::kError) {
      // finish() on an unfinished stream emits the client's error event and a clean end.
      upstream_ok = false;
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
    ok = co_await send_pieces(chunked, last);
  }
  if (!upstream_ok) keep_alive_ = keep_alive_ && ok;
  co_return ok&& upstream_ok;
}

}  // namespace ringgate::gateway
