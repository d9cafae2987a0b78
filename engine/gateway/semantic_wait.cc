// A remote embedder's answer, awaited on the shard without blocking it (seed-defect 000-H3):
// the text is submitted with the [cache.semantic.remote] timeout as its deadline, the coroutine
// suspends on a FlightWait bounded by that deadline, and the embedder's callback (on its worker
// thread) only stores the vector and wakes the shard through the kWakeFlight eventfd. Late,
// failed or refused is a miss: the request goes upstream as it would have.
#include <mutex>
#include <vector>

#include "cache/embedder.h"
#include "engine/gateway/client_session.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/flight_wait.h"
#include "engine/gateway/shard.h"
#include "engine/pipeline/stages.h"

namespace ringgate::gateway {

namespace {

// Shared by the waiting session and the callback, which may run after the session gave up:
// once leave() has run the callback no longer touches the shard.
class EmbedWaiter {
 public:
  explicit EmbedWaiter(Shard* shard) : shard_(shard) {}
  void deliver(bool ok, std::span<const float> vector) {
    std::lock_guard lock(mutex_);
    done_ = true;
    if (ok) vector_.assign(vector.begin(), vector.end());
    if (shard_) shard_->wake_flight_followers();
  }
  bool done() {
    std::lock_guard lock(mutex_);
    return done_;
  }
  // Ends the wait; the vector (empty: a miss) is the session's from now on.
  std::vector<float> leave() {
    std::lock_guard lock(mutex_);
    shard_ = nullptr;
    return std::move(vector_);
  }

 private:
  std::mutex mutex_;
  Shard* shard_;
  bool done_ = false;
  std::vector<float> vector_;
};

}  // namespace

io::Task<bool> ClientSession::await_semantic() {
  rq_.cache.semantic_pending = false;
  const uint64_t started = now_us();
  const pipeline::ShardServices& svc = shard_.services();
  const uint32_t timeout = rq_.runtime->config().cache.semantic.remote.timeout_ms;
  const int64_t deadline = cache::steady_now_ms() + timeout;
  auto waiter = std::make_shared<EmbedWaiter>(&shard_);
  const bool queued =
      svc.embedder->submit(std::move(rq_.cache.semantic_text), deadline,
                           [waiter](bool ok, std::span<const float> v) { waiter->deliver(ok, v); });
  // A wake that comes before the wait is armed is not lost: done() is read again first.
  const uint64_t wait_until = now_ms() + timeout;
  while (queued && !waiter->done() && !client_gone_ && !aborted_ && now_ms() < wait_until) {
    co_await FlightWait(shard_, remaining_ms(wait_until));
  }
  rq_.cache.vector = waiter->leave();
  if (aborted_) co_return true;  // the connection is being cut: nothing more to send
  pipeline::Verdict v = rq_.cache.vector.empty()
                            ? pipeline::Verdict::go_on()
                            : pipeline::semantic_answer(rq_, svc, int64_t(now_us() / 1000));
  if (v.goes_on()) pipeline::join_flight_or_miss(rq_, svc);
  rq_.cache.us += uint32_t(now_us() - started);
  if (v.goes_on()) co_return false;
  co_await out_.answer(v);
  co_return true;
}

}  // namespace ringgate::gateway
