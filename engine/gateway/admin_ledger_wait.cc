// GET /admin/requests from the ledger, awaited on the shard without blocking it: the query goes
// to the AdminLedgerQueries thread, the coroutine suspends on a FlightWait bounded by
// kLedgerWaitMs, and the thread's callback only stores the rows and wakes the shard through the
// kWakeFlight eventfd (as semantic_wait.cc does). A full queue, a read error or a late answer is
// a 503; the shard never waits on the ledger.
#include <mutex>
#include <optional>
#include <vector>

#include "engine/gateway/admin_views.h"
#include "engine/gateway/client_session.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/flight_wait.h"
#include "engine/gateway/shard.h"

namespace ringgate::gateway {

namespace {

constexpr uint32_t kLedgerWaitMs = 5000;

// Shared by the waiting session and the callback, which may run after the session gave up.
class LedgerWaiter {
 public:
  explicit LedgerWaiter(Shard* shard) : shard_(shard) {}
  void deliver(std::optional<std::vector<telemetry::LedgerRow>> rows) {
    std::lock_guard lock(mutex_);
    done_ = true;
    rows_ = std::move(rows);
    if (shard_) shard_->wake_flight_followers();
  }
  bool done() {
    std::lock_guard lock(mutex_);
    return done_;
  }
  std::optional<std::vector<telemetry::LedgerRow>> leave() {
    std::lock_guard lock(mutex_);
    shard_ = nullptr;
    return std::move(rows_);
  }

 private:
  std::mutex mutex_;
  Shard* shard_;
  bool done_ = false;
  std::optional<std::vector<telemetry::LedgerRow>> rows_;
};

telemetry::LedgerReader::RecentFilter filter_of(const protocol::AdminQuery& q) {
  telemetry::LedgerReader::RecentFilter f;
  if (q.before) f.before_id = int64_t(std::min<uint64_t>(*q.before, INT64_MAX));
  if (q.since) f.since_ms = *q.since > INT64_MAX / 1000 ? INT64_MAX : *q.since * 1000;
  f.key = q.key;
  f.model = q.model;
  f.limit = size_t(q.limit) + 1;  // one more: is there a next page
  return f;
}

}  // namespace

io::Task<pipeline::Verdict> ClientSession::await_admin_ledger(pipeline::Verdict fallback) {
  rq_.admin_ledger_pending = false;
  telemetry::AdminLedgerQueries* queries = shard_.state().admin_ledger;
  if (!queries) co_return fallback;
  auto waiter = std::make_shared<LedgerWaiter>(&shard_);
  const bool queued =
      queries->submit(filter_of(rq_.admin_query),
                      [waiter](std::optional<std::vector<telemetry::LedgerRow>> rows, std::string) {
                        waiter->deliver(std::move(rows));  // the error text stays off the answer
                      });
  const uint64_t wait_until = now_ms() + kLedgerWaitMs;
  while (queued && !waiter->done() && !client_gone_ && !aborted_ && now_ms() < wait_until) {
    co_await FlightWait(shard_, remaining_ms(wait_until));
  }
  std::optional<std::vector<telemetry::LedgerRow>> rows = waiter->leave();
  if (!rows) co_return fallback;
  rq_.local_body.clear();
  append_ledger_requests(*rows, rq_.admin_query, rq_.local_body);
  co_return pipeline::Verdict::local(200, "application/json", rq_.local_body,
                                     "Cache-Control: no-store\r\n");
}

}  // namespace ringgate::gateway
