#include "engine/io/ring.h"

#include <cerrno>
#include <cstring>
#include <ctime>

namespace ringgate::io {

Ring::~Ring() {
  if (ready_) io_uring_queue_exit(&ring_);
}

bool Ring::init(unsigned entries, std::string& err) {
  struct Attempt {
    unsigned flags;
    const char* name;
  };
  const Attempt attempts[] = {
      {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, "single-issuer+defer-taskrun"},
      {IORING_SETUP_COOP_TASKRUN, "coop-taskrun"},
      {0, "plain"},
  };
  int rc = -EINVAL;
  for (const Attempt& a : attempts) {
    io_uring_params p{};
    p.flags = a.flags | IORING_SETUP_CQSIZE;
    p.cq_entries = entries * 4;  // multishot accept and streams can outpace a 1:1 CQ
    rc = io_uring_queue_init_params(entries, &ring_, &p);
    if (rc == 0) {
      ready_ = true;
      mode_ = a.name;
      return true;
    }
  }
  err = std::string("io_uring_queue_init: ") + std::strerror(-rc);
  return false;
}

io_uring_sqe* Ring::sqe(unsigned n) {
  if (io_uring_sq_space_left(&ring_) < n) io_uring_submit(&ring_);
  io_uring_sqe* s = io_uring_get_sqe(&ring_);
  // After a submit the whole queue is free; a null here would be a kernel bug.
  if (!s) std::abort();
  return s;
}

namespace {
// Coarse monotonic milliseconds: a vDSO read, no syscall; its few-ms granularity is far below any
// deadline the gateway sets.
uint64_t coarse_now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
}
}  // namespace

void DeadlineHeap::place(size_t i, TimedOp* op) {
  heap_[i] = op;
  op->heap_index = i;
}

void DeadlineHeap::sift_up(size_t i) {
  TimedOp* op = heap_[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (heap_[parent]->deadline_ms <= op->deadline_ms) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, op);
}

void DeadlineHeap::sift_down(size_t i) {
  TimedOp* op = heap_[i];
  const size_t n = heap_.size();
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1]->deadline_ms < heap_[child]->deadline_ms) ++child;
    if (op->deadline_ms <= heap_[child]->deadline_ms) break;
    place(i, heap_[child]);
    i = child;
  }
  place(i, op);
}

void DeadlineHeap::add(TimedOp* op) {
  heap_.push_back(op);
  sift_up(heap_.size() - 1);
}

void DeadlineHeap::remove(TimedOp* op) {
  const size_t i = op->heap_index;
  op->heap_index = SIZE_MAX;
  TimedOp* last = heap_.back();
  heap_.pop_back();
  if (last == op) return;
  place(i, last);
  sift_down(i);
  sift_up(last->heap_index);
}

void Ring::add_deadline(TimedOp* op, uint32_t timeout_ms) {
  op->deadline_ms = coarse_now_ms() + timeout_ms;
  deadlines_.add(op);
}

void Ring::expire_deadlines() {
  const uint64_t now = coarse_now_ms();
  while (!deadlines_.empty() && deadlines_.earliest()->deadline_ms <= now) {
    TimedOp* op = deadlines_.earliest();
    deadlines_.remove(op);
    // The operation completes with -ECANCELED (or its own result, if it won the race).
    io_uring_sqe* s = sqe();
    io_uring_prep_cancel64(s, reinterpret_cast<uint64_t>(static_cast<IoOp*>(op)), 0);
    io_uring_sqe_set_data(s, nullptr);
  }
}

void Ring::run_once() {
  int rc;
  if (deadlines_.empty()) {
    rc = io_uring_submit_and_wait(&ring_, 1);
  } else {
    // Wake no later than the earliest deadline (an argument to the wait, not an SQE).
    const uint64_t now = coarse_now_ms(), due = deadlines_.earliest()->deadline_ms;
    const uint64_t wait_ms = due > now ? due - now : 0;
    __kernel_timespec ts{};
    ts.tv_sec = (long long)(wait_ms / 1000);
    ts.tv_nsec = (long long)(wait_ms % 1000) * 1000000;
    io_uring_cqe* cqe = nullptr;
    rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    if (rc == -ETIME) rc = 0;
  }
  if (rc < 0 && rc != -EINTR && rc != -EBUSY && rc != -EAGAIN) std::abort();
  // Copy the batch out first: resumed coroutines queue new SQEs and may submit, which must not
  // race with our walk of the CQ.
  struct Done {
    IoOp* op;
    int res;
    uint32_t flags;
  };
  Done batch[256];
  for (;;) {
    io_uring_cqe* cqes[256];
    unsigned n = io_uring_peek_batch_cqe(&ring_, cqes, 256);
    if (n == 0) break;
    unsigned k = 0;
    for (unsigned i = 0; i < n; ++i) {
      auto* op = static_cast<IoOp*>(io_uring_cqe_get_data(cqes[i]));
      if (op) batch[k++] = {op, cqes[i]->res, cqes[i]->flags};
    }
    io_uring_cq_advance(&ring_, n);
    for (unsigned i = 0; i < k; ++i) batch[i].op->on_cqe(batch[i].res, batch[i].flags);
    if (n < 256) break;
  }
  expire_deadlines();
}

void Ring::cancel_timeout(IoOp* op) {
  io_uring_sqe* s = sqe();
  io_uring_prep_timeout_remove(s, reinterpret_cast<__u64>(op), 0);
  io_uring_sqe_set_data(s, nullptr);
}

void Ring::cancel_fd(int fd) {
  io_uring_sqe* s = sqe();
  io_uring_prep_cancel_fd(s, fd, IORING_ASYNC_CANCEL_ALL);
  io_uring_sqe_set_data(s, nullptr);
}

}  // namespace ringgate::io
