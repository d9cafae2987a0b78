// The response leg of a translated request (OpenAI client <-> Anthropic upstream, or the
// reverse). Streams are translated event by event as they arrive (the relay's transform slot):
// nothing is held beyond the current SSE event. Non-streaming responses and upstream errors are
// read whole (bounded by max_response_bytes), translated, and sent in the client's shape with
// the right status.
#include <chrono>

#include "engine/config/config.h"
#include "engine/gateway/client_session.h"
#include "engine/gateway/shard.h"
#include "engine/gateway/upstream_body_reader.h"
#include "engine/pipeline/stream_translation.h"
#include "providers/models_translator.h"
#include "providers/provider_adapter.h"
#include "providers/response_headers.h"

namespace ringgate::gateway {

void ClientSession::carry_upstream_headers() {
  const protocol::HttpResponseHead& uh = upstream_parser_.head();
  providers::CarriedHeaderOptions o;
  o.from = rq_.route.upstream->format == providers::ApiFormat::kAnthropic ? Front::kAnthropic
                                                                          : Front::kOpenAi;
  o.to = rq_.front;
  o.rate_limits = !rq_.gateway_rate_limits;
  o.now_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  providers::append_carried_headers(uh.headers, o, rq_.response_headers);
}

io::Task<void> ClientSession::relay_translated(const Route& route, UpstreamBodyReader& body) {
  const protocol::HttpResponseHead& uh = upstream_parser_.head();
  const bool streaming = uh.status >= 200 && uh.status < 300 && uh.is_event_stream();
  if (!streaming) {
    co_await answer_translated(route, body, uh.status);
    co_return;
  }
  providers::StreamOptions so;
  so.model.assign(route.requested_model);
  so.include_usage = route.include_usage;
  so.response_format_tool = response_format_tool_;
  // An upstream that never names its message (Azure's first chunk has "id": "") gets this one.
  so.fallback_id = "msg_" + rq_.request_id;
  if (providers::responses_client(translation_)) {
    so.id = responses_turn_.id;
    so.custom_tools = responses_turn_.custom_tools;
    so.namespaced_tools = responses_turn_.namespaced_tools;
    so.responses_echo = responses_turn_.echo;
  }
  // Anthropic client, OpenAI upstream: message_start gets the gateway's count (or its estimate).
  if (translation_ == Translation::kAnthropicClientToOpenAi)
    co_await choose_stream_input_tokens(so);
  const config::Config& cfg = rq_.runtime->config();
  pipeline::StreamTranslation transform(translation_, std::move(so),
                                        cfg.server.max_sse_event_bytes);
  carry_upstream_headers();
  out_.sse_head();  // HTTP/1.0: the stream ends when we close
  pipeline::RelayPlan plan;
  plan.shape = pipeline::RelayPlan::Shape::kTransform;
  plan.transform = &transform;
  plan.heartbeat_ms = cfg.timeouts.sse_heartbeat_ms;
  // A broken translated stream still ends well formed (the transform's error event), so the
  // client connection may carry the next request.
  settle_relay(co_await run_relay(body, plan), /*close_on_failure=*/false);
  // Empty unless the stream ended complete: a cut answer is no turn to continue from.
  store_conversation(transform.translator().output_items());
}

io::Task<bool> ClientSession::collect_upstream_body(UpstreamBodyReader& body) {
  translated_.clear();
  pipeline::RelayPlan plan;
  plan.shape = pipeline::RelayPlan::Shape::kCollect;
  plan.collect = &translated_;
  const pipeline::RelayResult r = co_await run_relay(body, plan);
  settle_relay(r, /*close_on_failure=*/false);
  if (client_gone_ || r.end == pipeline::RelayResult::End::kClientGone) co_return false;
  if (!r.ok()) {
    co_await out_.respond_error(
        {r.timed_out() ? 504 : 502,
         r.timed_out() ? "upstream response timed out" : "upstream response was cut or malformed",
         protocol::ErrorCode::kUpstreamError});
    co_return false;
  }
  co_return true;
}

io::Task<void> ClientSession::answer_translated(const Route& route, UpstreamBodyReader& body,
                                                int status) {
  // Whole body first: a translated JSON document cannot be emitted before it is complete.
  if (!co_await collect_upstream_body(body)) co_return;
  providers::TranslateResult tr;
  if (status >= 200 && status < 300 && models_ != providers::EndpointPlan::Models::kNo) {
    const Front from = route.upstream->format == providers::ApiFormat::kAnthropic
                           ? Front::kAnthropic
                           : Front::kOpenAi;
    const providers::ModelPage page = rq_.front == Front::kAnthropic
                                          ? providers::parse_model_page(parser_.request().query)
                                          : providers::ModelPage{};
    if (!page.ok) {
      co_await out_.respond_error(
          {400, page.error, protocol::ErrorCode::kInvalidRequestBody, "limit"});
      co_return;
    }
    tr = providers::translate_models_response(
        from, rq_.front, translated_, models_ == providers::EndpointPlan::Models::kOne, page);
    if (!tr.ok) {
      co_await out_.respond_error({502, tr.error_message, protocol::ErrorCode::kUpstreamError});
      co_return;
    }
  } else if (status >= 200 && status < 300) {
    providers::ResponseOptions ro;
    ro.model.assign(route.requested_model);
    ro.response_format_tool = response_format_tool_;
    ro.id = responses_turn_.id;
    ro.custom_tools = responses_turn_.custom_tools;
    ro.namespaced_tools = responses_turn_.namespaced_tools;
    ro.responses_echo = responses_turn_.echo;
    tr = providers::translate_response(translation_, translated_, ro);
    if (!tr.ok) {
      co_await out_.respond_error({502,
                                   "upstream response could not be translated: " + tr.error_message,
                                   protocol::ErrorCode::kUpstreamError});
      co_return;
    }
    store_conversation(tr.output_items);
  } else {
    tr = providers::translate_error(translation_, status, translated_);
  }
  std::string out = std::move(tr.body);
  carry_upstream_headers();
  co_await out_.respond(tr.ok && status < 300 ? status : (tr.status ? tr.status : status),
                        "application/json", out);
}

}  // namespace ringgate::gateway
