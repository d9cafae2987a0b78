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

#include "engine/gateway/accounting_tap.h"
#include "engine/gateway/attempt.h"
#include "engine/gateway/cache_fill_tap.h"
#include "engine/gateway/responses_turn.h"
#include "engine/io/ring.h"
#include "engine/io/task.h"
#include "engine/io/tls_server_session.h"
#include "engine/pipeline/body_relay.h"
#include "engine/pipeline/client_sink.h"
#include "engine/pipeline/pipeline.h"
#include "engine/pipeline/request_context.h"
#include "engine/pipeline/response_head.h"
#include "engine/pipeline/response_writer.h"
#include "engine/telemetry/count_job.h"
#include "engine/telemetry/request_record.h"
#include "protocol/api_error.h"
#include "protocol/http_request_parser.h"
#include "protocol/http_response_parser.h"
#include "providers/provider_adapter.h"

namespace ringgate::gateway {

class Shard;
class UpstreamConnection;
class UpstreamBodyReader;

using Front = protocol::ApiFront;

using Route = pipeline::Route;
using pipeline::append_header;
using pipeline::BodyFraming;

// Client API -> upstream API, when they differ; the provider adapter decides which.
using Translation = providers::Translation;

class ClientSession final : public pipeline::Forwarder, public pipeline::ClientSink {
 public:
  // `tls` non-null: the connection is HTTPS on that context (the session keeps its own reference).
  ClientSession(Shard& shard, int fd, io::TlsServerContext* tls = nullptr);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;

  io::Task<void> run();
  int fd() const { return fd_; }
  // Waiting for the next request (nothing in flight): safe to close on drain.
  bool idle() const { return idle_; }
  // Cuts the connection: pending operations on it complete with errors.
  void abort();

 private:
  // kRefused: answered with an error before it could be served (unparseable, timed out).
  enum class ReadOutcome { kRequest, kRefused, kClosed };

  io::Task<void> serve_requests();
  io::Task<ReadOutcome> read_request();
  // The one place request bytes come in: one socket read (deadline `timeout_ms`), its bytes (or,
  // over TLS, what they decrypt to) appended to in_. recv's result: > 0 read, 0 end of stream
  // (or close_notify), < 0 -errno (-EPROTO: the TLS record layer failed).
  io::Task<int> receive(uint32_t timeout_ms);
  // One socket read into a provided buffer (a pooled scratch one when none is free); its bytes go
  // to in_, or to the TLS session as ciphertext.
  io::Task<int> recv_once(uint32_t timeout_ms);
  // client_tls.cc: the TLS transport. The handshake within handshake_ms (false: close at once).
  io::Task<bool> tls_handshake();
  io::Task<int> tls_receive(uint32_t timeout_ms);
  // Decrypts what the session holds into in_ (`got` bytes); kWantIo once it needs more.
  io::TlsSession::Status decrypt_into_input(size_t& got);
  io::Task<bool> tls_send(iovec* iov, int iovcnt);
  io::Task<bool> encrypt_and_send(iovec* iov, int iovcnt);
  // Sends every pending ciphertext byte; false when the socket failed or timed out.
  io::Task<bool> flush_tls(uint32_t timeout_ms);
  // Our close_notify, best effort, before the socket closes.
  io::Task<void> tls_close();
  // Appends received bytes to in_, taking a pooled buffer for the first ones.
  void append_input(std::string_view data);
  io::Task<void> handle_request();
  io::Task<void> proxy(const Route& route);
  // pipeline::ClientSink: what the response writer needs of this connection.
  io::Task<bool> send(iovec* iov, int iovcnt) override;
  bool closing() const override;
  void close_after_response() override { keep_alive_ = false; }
  bool reads_chunked() const override;
  bool head_request() const override;
  void count_response(int status) override;
  // For errors answered before the pipeline ran (unparseable or timed-out requests).
  void choose_request_id();
  // Starts a request's context (and its clock); complete() ends it, whatever happened: the one
  // point that turns it into a record for the accounting thread.
  void begin_request();
  void complete();
  void settle_admission();
  // Leaves the slot and hands what the answer still owes to the record (or, when the ring is
  // full, keeps the estimate charged); settle_admission() for everything else.
  void settle_or_hand_over();
  // Starts the upstream body's accounting copy when its answer reports usage.
  void open_accounting_copy();
  // cache_fill.cc: the exact cache's copy of a cacheable miss's 2xx answer, and its store once
  // the relay ended complete.
  void open_cache_fill();
  void finish_cache_fill(const pipeline::RelayResult& r);
  // flight_follow.cc: a single-flight follower waits for its leader's answer; true when it was
  // answered from it (or its connection is being cut), false when it must go upstream alone.
  io::Task<bool> follow_flight();
  // semantic_wait.cc: a remote embedder's vector awaited without blocking the shard, then the
  // semantic search; true when it answered (or the connection is being cut).
  io::Task<bool> await_semantic();
  // admin_ledger_wait.cc: GET /admin/requests run on the ledger off the shard; `fallback` (the
  // stage's 503) when it could not be read in time.
  io::Task<pipeline::Verdict> await_admin_ledger(pipeline::Verdict fallback);
  // This request leads a single flight that other requests still wait on.
  bool feeds_followers() const;
  // The shard's metrics for the request `r` records (no lock, no allocation).
  void count_request(const telemetry::RequestRecord& r);
  void count_cache(telemetry::RequestRecord& r);
  io::Task<void> forward(pipeline::RequestContext& rq) override;
  io::Task<void> await_fleet(uint64_t until_ms) override;
  uint32_t write_timeout_ms() const;

  // proxy() helpers
  BodyFraming client_framing(const protocol::HttpResponseParser& rp, bool head_request) const;
  void build_upstream_head(const Route& route, std::string_view suffix, size_t body_len,
                           std::string_view key);
  // The request as the attempt's deployment takes it (path, body, head with `key`); false when
  // the client was answered instead.
  io::Task<bool> prepare_upstream_request(const Route& route, std::string_view key);
  void reset_upstream_parser();
  io::Task<HeadResult> exchange_head(const Route& route, RawBuffer& ubuf,
                                     std::unique_ptr<UpstreamConnection>& conn, uint32_t connect_ms,
                                     uint32_t ttfb_ms);
  // attempts.cc: the attempt loop. True: a head to relay is in upstream_parser_, its connection
  // and buffer in run; false: the client was answered (or left).
  io::Task<void> plan_or_wait(uint64_t total_deadline);
  // managed_wait.cc: a model served only by managed deployments that are not ready waits for a
  // start. False: the client was answered (a 503 naming the deployment).
  io::Task<bool> wait_for_managed(uint64_t total_deadline);
  io::Task<void> answer_managed_unavailable(const config::RuntimeDeployment& d, uint64_t retry_ms,
                                            std::string why);
  io::Task<bool> run_attempts(AttemptRun& run, uint64_t total_deadline);
  // Takes the candidate's breaker permit, key and max_concurrent slot and points the route at
  // it; false when it cannot take the request now. `sole`: the only candidate, tried anyway.
  bool begin_attempt(const Candidate& c, bool sole, Attempt& a);
  std::string_view attempt_key(const Attempt& a) const;
  std::string_view caller_provider_key(std::string_view upstream) const;
  bool byok_refused(const Attempt& a, const HeadResult& res) const;
  io::Task<void> answer_byok_refused(AttemptRun& run);
  void settle_attempt(Attempt& a, const HeadResult& res);
  void add_routing_headers(const Attempt& a, uint32_t attempts);
  io::Task<void> answer_no_attempt(AttemptRun& run, const HeadResult& res, const AttemptPlan& plan);
  std::string_view ask_stream_usage(const Route& route, const config::Upstream& up,
                                    std::string_view suffix, std::string_view body);
  // The body of a response whose head is parsed, through relay_: as it came (whole SSE events
  // for a stream), or translated into the client's API.
  io::Task<void> relay_as_is(UpstreamBodyReader& body, size_t max_event_bytes);
  io::Task<void> relay_batch_answer(UpstreamBodyReader& body);
  // The whole upstream body into translated_; false when the client is gone or was answered an
  // error because the body was cut or late.
  io::Task<bool> collect_upstream_body(UpstreamBodyReader& body);
  io::Task<void> relay_translated(const Route& route, UpstreamBodyReader& body);
  io::Task<void> answer_translated(const Route& route, UpstreamBodyReader& body, int status);
  // The upstream head's lines a translated answer carries to its client (retry and rate-limit
  // headers, rewritten for the client's API) into rq_.response_headers.
  void carry_upstream_headers();
  io::Task<pipeline::RelayResult> run_relay(UpstreamBodyReader& body,
                                            const pipeline::RelayPlan& plan);
  // prompt_count.cc: the gateway's own prompt counts, made off the shard (CountWorker).
  // A job counting `body`, or null when counting is off or the shard's queue is full.
  std::shared_ptr<telemetry::CountJob> submit_prompt_count(providers::UsageShape shape,
                                                           std::string_view body,
                                                           std::string_view model);
  // The job's count, polled between 1 ms ring timeouts for at most max_ms; -1 if none by then.
  io::Task<int64_t> wait_prompt_count(const telemetry::CountJob* job, uint32_t max_ms);
  // message_start's input_tokens (count_job_'s count, else the estimate) and the header saying so.
  io::Task<void> choose_stream_input_tokens(providers::StreamOptions& so);
  // responses_turn.cc: a translated Responses request's previous_response_id. Draws the response
  // id and reads the conversation it names into `prior`; false when the client was answered.
  io::Task<bool> recall_conversation(const Route& route, std::string& prior);
  // After the request's translation: what its response leg needs.
  void keep_responses_turn(providers::TranslateResult& tr);
  // After the answer: the turn (conversation and `output_items`) into the node's store.
  void store_conversation(std::string_view output_items);
  // /v1/messages/count_tokens toward an OpenAI-format upstream, answered here.
  io::Task<void> answer_count_tokens(const Route& route);
  // Counts how a relay ended and what it means for the connection.
  void settle_relay(const pipeline::RelayResult& r, bool close_on_failure);

  Shard& shard_;
  int fd_;
  ClientSession* prev_ = nullptr;
  ClientSession* next_ = nullptr;
  friend class Shard;

  std::string in_;  // bytes of the current (and any pipelined) request; pooled while idle
  protocol::HttpRequestParser parser_;
  std::string upstream_head_;         // request head being written upstream
  std::string body_rewrite_;          // request body when the model name is rewritten or translated
  std::string usage_body_;            // request body with the stream usage option the gateway added
  bool usage_asked_ = false;          // so the client's stream must not get the usage chunk
  bool rewrite_results_url_ = false;  // an Anthropic batch answer, relayed: see relay_batch_answer
  std::string translated_;            // translated response bytes on their way to the client
  Translation translation_ = Translation::kNone;
  // A translated GET /models (list) or /models/{id} (one): no request body to translate, and the
  // answer is a model list in the client's shape.
  providers::EndpointPlan::Models models_ = providers::EndpointPlan::Models::kNo;
  std::string response_format_tool_;          // see providers::TranslateResult
  ResponsesTurn responses_turn_;              // a translated /v1/responses request's
  std::string recalled_prior_;                // the conversation its previous_response_id named
  bool conversation_recalled_ = false;        // once per request, whatever number of attempts
  AttemptPlan attempt_plan_;                  // the candidates of the request being forwarded
  std::string retry_after_line_;              // the Retry-After of a 503 when none could be tried
  pipeline::RequestContext rq_;               // the request being served; reset between requests
  pipeline::ResponseWriter out_{*this, rq_};  // every byte the client gets
  pipeline::BodyRelay relay_{out_, rq_};      // every upstream body read
  pipeline::CountingTap counting_tap_{rq_};
  AccountingTap accounting_tap_;
  CacheFillTap cache_fill_;
  bool fill_streamed_ = false;  // the fill's copy is an SSE stream, to assemble before storing
  std::string_view upstream_endpoint_;  // the path after /v1 the upstream got (a literal or rq_'s)
  std::string_view upstream_body_;      // the body the upstream got (the client's or a rewrite)
  // The prompt count of a translated stream to an OpenAI-format upstream, running off the shard.
  std::shared_ptr<telemetry::CountJob> count_job_;
  telemetry::RequestRecord record_;  // built at complete(); a member so no frame holds 600 bytes
  protocol::HttpResponseParser upstream_parser_;
  std::vector<std::string_view> pieces_;  // body pieces of the last upstream read
  bool idle_ = true;
  bool aborted_ = false;
  bool keep_alive_ = true;
  bool client_gone_ = false;
  std::unique_ptr<io::TlsServerSession> tls_;  // null: plain HTTP
  std::string tls_subject_;  // the verified client certificate's subject, for admission
  io::HangupWatch hangup_;   // armed at the first proxied request, stopped when the session ends
  int upstream_fd_ = -1;     // the upstream socket in use, so a hangup can cancel its I/O
  uint64_t requests_served_ = 0;
};

}  // namespace ringgate::gateway
