#include "engine/gateway/upstream_pool.h"

namespace ringgate::gateway {

UpstreamPool::UpstreamPool(const PoolLimits& limits) : limits_(limits) {
  // A client refused after waiting the whole queue timeout should not come back sooner.
  uint32_t seconds = std::max<uint32_t>(1, (limits.queue_timeout_ms + 999) / 1000);
  retry_after_ = "Retry-After: " + std::to_string(seconds) + "\r\n";
}

std::unique_ptr<UpstreamConnection> UpstreamPool::take_idle(uint64_t now_ms) {
  while (!idle_.empty()) {
    std::unique_ptr<UpstreamConnection> c = std::move(idle_.back());
    idle_.pop_back();
    if (now_ms - c->idle_since_ms < limits_.idle_timeout_ms && c->idle_and_clean()) {
      return c;
    }
    discard(std::move(c));
  }
  return nullptr;
}

void UpstreamPool::park(std::unique_ptr<UpstreamConnection> conn, uint64_t now_ms) {
  if (idle_.size() >= limits_.max_idle) {
    discard(std::move(conn));
    return;
  }
  conn->idle_since_ms = now_ms;
  idle_.push_back(std::move(conn));
  wake_first();
}

std::unique_ptr<UpstreamConnection> UpstreamPool::open_new() {
  ++open_;
  return std::make_unique<UpstreamConnection>();
}

void UpstreamPool::discard(std::unique_ptr<UpstreamConnection> conn) {
  if (!conn) return;
  conn->close();
  --open_;
  wake_first();
}

void UpstreamPool::close_idle() {
  while (!idle_.empty()) {
    discard(std::move(idle_.back()));
    idle_.pop_back();
  }
}

void UpstreamPool::retire() {
  limits_.max_idle = 0;  // park() now closes what it is given
  close_idle();
}

UpstreamPool::Waiter UpstreamPool::wait(io::Ring& ring, int client_fd, uint32_t timeout_ms,
                                        bool again) {
  return Waiter(*this, ring, client_fd, timeout_ms, again);
}

void UpstreamPool::enqueue(Waiter* w, bool front) {
  w->queued_ = true;
  ++waiting_;
  if (front) {
    w->next_ = head_;
    w->prev_ = nullptr;
    (head_ ? head_->prev_ : tail_) = w;
    head_ = w;
  } else {
    w->prev_ = tail_;
    w->next_ = nullptr;
    (tail_ ? tail_->next_ : head_) = w;
    tail_ = w;
  }
}

void UpstreamPool::unlink(Waiter* w) {
  if (!w->queued_) return;
  w->queued_ = false;
  --waiting_;
  (w->prev_ ? w->prev_->next_ : head_) = w->next_;
  (w->next_ ? w->next_->prev_ : tail_) = w->prev_;
  w->prev_ = w->next_ = nullptr;
}

void UpstreamPool::wake_first() {
  if (Waiter* w = head_) {
    unlink(w);
    w->wake();
  }
}

bool UpstreamPool::Waiter::await_ready() {
  // A retry after losing the race may pass the queue bound by one: it held a place already.
  if (!again_ && pool_.waiting_ >= pool_.limits_.queue_depth) {
    result_ = PoolWait::kQueueFull;
    return true;
  }
  return false;
}

void UpstreamPool::Waiter::await_suspend(std::coroutine_handle<> h) {
  handle_ = h;
  pool_.enqueue(this, again_);
  io_uring_sqe* s = ring_.sqe(2);
  io_uring_prep_poll_add(s, fd_, POLLRDHUP | POLLHUP | POLLERR);
  io_uring_sqe_set_data(s, static_cast<io::IoOp*>(this));
  s->flags |= IOSQE_IO_LINK;
  ts_.tv_sec = timeout_ms_ / 1000;
  ts_.tv_nsec = static_cast<long long>(timeout_ms_ % 1000) * 1000000;
  io_uring_sqe* t = ring_.sqe();
  io_uring_prep_link_timeout(t, &ts_, 0);
  io_uring_sqe_set_data(t, nullptr);
}

// Called by the pool, which has already taken this waiter off the queue.
void UpstreamPool::Waiter::wake() {
  woken_ = true;
  io_uring_sqe* s = ring_.sqe();
  io_uring_prep_poll_remove(s, reinterpret_cast<uint64_t>(static_cast<io::IoOp*>(this)));
  io_uring_sqe_set_data(s, nullptr);
}

void UpstreamPool::Waiter::on_cqe(int res, uint32_t) {
  pool_.unlink(this);
  if (res > 0) {
    result_ = PoolWait::kClientGone;
    // A wake-up meant for this waiter must not be lost with it.
    if (woken_) pool_.wake_first();
  } else {
    // -ECANCELED: removed by a wake-up, or cancelled by the linked timeout. A wake-up that
    // raced the timeout still counts: the connection is there to take.
    result_ = woken_ ? PoolWait::kReady : PoolWait::kTimedOut;
  }
  handle_.resume();
}

}  // namespace ringgate::gateway
