#include "engine/io/ring.h"

#include <cerrno>
#include <cstring>

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

void Ring::run_once() {
  int rc = io_uring_submit_and_wait(&ring_, 1);
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
}

void Ring::cancel_fd(int fd) {
  io_uring_sqe* s = sqe();
  io_uring_prep_cancel_fd(s, fd, IORING_ASYNC_CANCEL_ALL);
  io_uring_sqe_set_data(s, nullptr);
}

}  // namespace ringgate::io
