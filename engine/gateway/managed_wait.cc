// Requests for a managed deployment that is not running: they ask the supervisor for a start
// (one start however many ask: 004-P2) and wait for it on short ring timeouts, never blocking
// the shard. The wait is bounded three ways: max_queued waiting requests per deployment, the
// start's own failure (start_timeout_ms or an exit, said by the supervisor) and the request's
// total_ms. A model whose while_starting is "fallback" does not wait: its fallbacks serve it.
#include <algorithm>

#include "engine/gateway/client_session.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/shard.h"
#include "engine/io/sleep.h"
#include "protocol/error_body.h"

namespace ringgate::gateway {

namespace {

constexpr uint32_t kStartPollMs = 5;
constexpr uint64_t kQueueFullRetryMs = 1000;

}  // namespace

io::Task<void> ClientSession::answer_managed_unavailable(const config::RuntimeDeployment& d,
                                                         uint64_t retry_ms, std::string why) {
  shard_.counters().upstream_errors.add();
  rq_.progress.upstream_failed = true;
  retry_after_line_ =
      "Retry-After: " + std::to_string(std::max<uint64_t>(1, (retry_ms + 999) / 1000)) + "\r\n";
  out_.add_once(retry_after_line_);
  co_await out_.respond_error({503, "managed deployment " + d.def->name + " " + why,
                               protocol::ErrorCode::kUpstreamUnavailable});
}

io::Task<bool> ClientSession::wait_for_managed(uint64_t total_deadline) {
  const managed::ManagedFleet* fleet = rq_.runtime->managed_fleet();
  if (!fleet || fleet->empty()) co_return true;
  const config::RuntimeModel& model = *rq_.route.model_entry;
  managed::ManagedProcess* proc = nullptr;
  const config::RuntimeDeployment* dep = nullptr;
  for (const config::RuntimeDeployment* d : model.deployments) {
    managed::ManagedProcess* p = fleet->process(d->id);
    if (!p || p->state() == managed::ManagedState::kReady) co_return true;  // one can serve now
    if (!proc) proc = p, dep = d;
  }
  if (!proc) co_return true;
  const bool to_fallbacks =
      model.def->while_starting == config::WhileStarting::kFallback && !model.fallbacks.empty();
  const uint64_t now = managed::steady_ms();
  const uint64_t retry_at = proc->retry_at_ms.load(std::memory_order_relaxed);
  if (proc->state() == managed::ManagedState::kFailed && now < retry_at) {
    if (to_fallbacks) co_return true;
    co_await answer_managed_unavailable(*dep, retry_at - now,
                                        "failed to start; the next start is after a backoff");
    co_return false;
  }
  proc->touch();
  if (proc->want_start()) managed::wake_supervisor();
  if (to_fallbacks) co_return true;
  if (!proc->enter_queue()) {
    co_await answer_managed_unavailable(*dep, kQueueFullRetryMs,
                                        "is starting and max_queued (" +
                                            std::to_string(proc->def().max_queued) +
                                            ") requests already wait for it");
    co_return false;
  }
  const uint64_t failures = proc->start_failures.load(std::memory_order_acquire);
  const char* why = nullptr;
  for (;;) {
    const managed::ManagedState st = proc->state();
    if (st == managed::ManagedState::kReady || client_gone_) break;
    if (proc->start_failures.load(std::memory_order_acquire) != failures) {
      why = "failed to start (its log has the details)";
      break;
    }
    const uint64_t t = now_ms();
    if (t >= total_deadline) {
      why = "did not start within the request's total_ms";
      break;
    }
    // Stopped again (an idle stop raced this request): ask once more.
    if ((st == managed::ManagedState::kStopped || st == managed::ManagedState::kFailed) &&
        proc->want_start()) {
      managed::wake_supervisor();
    }
    co_await io::Sleep(shard_.ring(),
                       uint32_t(std::min<uint64_t>(kStartPollMs, total_deadline - t)));
  }
  proc->leave_queue();
  if (!why) co_return true;
  const uint64_t after = managed::steady_ms();
  const uint64_t next = proc->retry_at_ms.load(std::memory_order_relaxed);
  co_await answer_managed_unavailable(*dep, next > after ? next - after : kQueueFullRetryMs, why);
  co_return false;
}

}  // namespace ringgate::gateway
