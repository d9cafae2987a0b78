// Single flight on the shards: identical concurrent cacheable misses make one upstream call per
// node. The first is the leader (it goes upstream and fills the exact cache); the others follow:
// each waits on its own shard, bounded by [cache] coalesce_wait_ms, for the leader's flight to
// settle, then answers from the entry the leader stored, replayed in its own API and mode
// (x-ringgate-cache: coalesced). A failed, cancelled or late flight sends the follower upstream
// on its own. The leader's log is not streamed to followers: they get the whole answer once it
// is complete, which keeps one path (the replay) for every follower whatever its mode.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "cache/exact_cache.h"
#include "cache/single_flight.h"
#include "engine/gateway/client_session.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/flight_wait.h"
#include "engine/gateway/shard.h"
#include "engine/pipeline/stages.h"

namespace ringgate::gateway {

FlightWait::FlightWait(Shard& shard, uint32_t ms) : shard_(shard) {
  ts_.tv_sec = ms / 1000;
  ts_.tv_nsec = static_cast<long long>(ms % 1000) * 1000000;
}

void FlightWait::await_suspend(std::coroutine_handle<> h) {
  handle_ = h;
  io_uring_sqe* s = shard_.ring().sqe();
  io_uring_prep_timeout(s, &ts_, 0, 0);
  io_uring_sqe_set_data(s, static_cast<io::IoOp*>(this));
  shard_.add_flight_wait(this);
}

void FlightWait::on_cqe(int, uint32_t) {
  shard_.remove_flight_wait(this);
  handle_.resume();
}

io::Task<bool> ClientSession::follow_flight() {
  using cache::FlightState;
  const std::shared_ptr<cache::Flight> flight = rq_.cache.lease.flight;
  const uint64_t deadline = now_ms() + rq_.runtime->config().cache.coalesce_wait_ms;
  Shard* shard = &shard_;
  std::string none;
  FlightState state = FlightState::kRunning;
  std::atomic<uint64_t>& waiting = shard_.state().cache_counters.followers_waiting;
  waiting.fetch_add(1, std::memory_order_relaxed);
  while (!client_gone_ && !aborted_) {
    state = flight->read_from(0, none, 0).state;
    if (state != FlightState::kRunning || now_ms() >= deadline) break;
    // False: it settled meanwhile; read its state again now.
    if (!flight->wake_after(0, [shard] { shard->wake_flight_followers(); })) continue;
    co_await FlightWait(shard_, remaining_ms(deadline));
  }
  waiting.fetch_sub(1, std::memory_order_relaxed);
  rq_.cache.lease.end();         // this follower leaves the flight, whatever it does next
  if (aborted_) co_return true;  // the connection is being cut: nothing more to send
  if (state == FlightState::kDone && shard_.state().exact_cache) {
    auto hit = shard_.state().exact_cache->get(rq_.cache.key, rq_.cache.scope, int64_t(now_ms()));
    pipeline::Verdict v =
        hit ? pipeline::answer_from_cache(rq_, *hit, "coalesced") : pipeline::Verdict::go_on();
    if (!v.goes_on()) {
      rq_.cache.result = pipeline::RequestContext::CacheStep::Result::kCoalesced;
      rq_.cache.store = false;
      co_await out_.answer(v);
      co_return true;
    }
  }
  rq_.response_headers.append("x-ringgate-cache: miss\r\n");  // upstream on its own
  co_return false;
}

bool ClientSession::feeds_followers() const {
  const pipeline::RequestContext::FlightLease& lease = rq_.cache.lease;
  return lease.leader && lease.flight && lease.flight->attached() > 1;  // its own client is one
}

void Shard::wake_flight_followers() {
  if (flight_wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &kWakeFlight, sizeof kWakeFlight);
}

// Every follower waiting on this shard re-reads its flight; those still running wait again.
void Shard::wake_flight_waits() {
  flight_wake_pending_.store(false, std::memory_order_release);
  for (FlightWait* w : flight_waits_) ring_.cancel_timeout(w);
}

void Shard::add_flight_wait(FlightWait* w) { flight_waits_.push_back(w); }

void Shard::remove_flight_wait(FlightWait* w) { std::erase(flight_waits_, w); }

// Exact-mode fleet decisions wake the same eventfd as flights (FleetLimiter's wakers).
io::Task<void> ClientSession::await_fleet(uint64_t until_ms) {
  const uint64_t now = uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now().time_since_epoch())
                                    .count());
  co_await FlightWait(shard_, uint32_t(std::max<uint64_t>(until_ms > now ? until_ms - now : 0, 1)));
}

}  // namespace ringgate::gateway
