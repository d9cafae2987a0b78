// The gateway's own prompt counts, made off the shard by the CountWorker: message_start's
// input_tokens for Anthropic clients streaming from an OpenAI-format upstream, and the answer to
// /v1/messages/count_tokens toward OpenAI-format upstreams (a request that asks only for the
// count). The shard copies the body into a job, submits it (never blocking: a full queue means
// the estimate) and, when it needs the number, polls the job's atomic between 1 ms ring timeouts,
// at most a bound; then it falls back to the estimate admission's own scale uses (bytes / 4).
#include <string>

#include "engine/gateway/client_session.h"
#include "engine/gateway/shard.h"
#include "engine/io/sleep.h"

namespace ringgate::gateway {

namespace {

// How long a translated stream's message_start may wait for a count not ready when the upstream
// answered: a small fraction of any model's time to first token.
constexpr uint32_t kStreamCountWaitMs = 20;
// count_tokens waits for nothing else, so it may wait longer before it settles for the estimate.
constexpr uint32_t kCountTokensWaitMs = 2000;

int64_t estimate_tokens(std::string_view body) { return int64_t((body.size() + 3) / 4); }

}  // namespace

std::shared_ptr<telemetry::CountJob> ClientSession::submit_prompt_count(providers::UsageShape shape,
                                                                        std::string_view body,
                                                                        std::string_view model) {
  telemetry::CountWorker* worker = shard_.state().count_worker;
  if (!worker) return nullptr;
  auto job = std::make_shared<telemetry::CountJob>();
  job->shape = shape;
  job->body.assign(body.data(), body.size());
  job->model.assign(model.data(), model.size());
  if (!worker->submit(shard_.id(), job)) return nullptr;
  return job;
}

io::Task<int64_t> ClientSession::wait_prompt_count(const telemetry::CountJob* job,
                                                   uint32_t max_ms) {
  if (!job) co_return -1;
  for (uint32_t waited = 0; !job->done() && waited < max_ms && !client_gone_; ++waited) {
    co_await io::Sleep(shard_.ring(), 1);
  }
  co_return job->count();
}

// Before the translated stream's head: the header says which number message_start carries.
io::Task<void> ClientSession::choose_stream_input_tokens(providers::StreamOptions& so) {
  const int64_t n = co_await wait_prompt_count(count_job_.get(), kStreamCountWaitMs);
  count_job_.reset();
  so.input_tokens = n >= 0 ? n : estimate_tokens(upstream_body_);
  out_.add_once(n >= 0 ? "x-ringgate-input-tokens: counted\r\n"
                       : "x-ringgate-input-tokens: estimate\r\n");
}

io::Task<void> ClientSession::answer_count_tokens(const Route& route) {
  const std::string_view body = parser_.request().body;
  const std::string_view model = route.upstream_model();
  std::shared_ptr<telemetry::CountJob> job =
      submit_prompt_count(providers::UsageShape::kAnthropicMessages, body, model);
  int64_t n = co_await wait_prompt_count(job.get(), kCountTokensWaitMs);
  if (n < 0) n = estimate_tokens(body);
  rq_.local_body = R"({"input_tokens":)" + std::to_string(n) + "}";
  // Our tokenizer, not the model vendor's: always an estimate, whichever way it was made.
  out_.add_once("x-ringgate-token-count: estimate\r\n");
  co_await out_.respond(200, "application/json", rq_.local_body);
}

}  // namespace ringgate::gateway
