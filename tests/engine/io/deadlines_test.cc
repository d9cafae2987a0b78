// The per-shard deadline heap and the ring that cancels what passes its deadline.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "engine/io/ring.h"
#include "engine/io/task.h"

namespace ringgate::io {
namespace {

struct FakeOp final : TimedOp {
  void on_cqe(int, uint32_t) override {}
};

TEST(DeadlineHeap, EarliestFirstThroughAddsAndRemovals) {
  std::vector<FakeOp> ops(200);
  std::mt19937 rng(7);
  DeadlineHeap heap;
  for (auto& op : ops) {
    op.deadline_ms = rng() % 1000;
    heap.add(&op);
  }
  for (size_t i = 0; i < ops.size(); i += 3) heap.remove(&ops[i]);  // completed early
  uint64_t last = 0;
  size_t popped = 0;
  while (!heap.empty()) {
    TimedOp* op = heap.earliest();
    EXPECT_GE(op->deadline_ms, last);
    last = op->deadline_ms;
    heap.remove(op);
    EXPECT_EQ(op->heap_index, SIZE_MAX);
    ++popped;
  }
  EXPECT_EQ(popped, ops.size() - (ops.size() + 2) / 3);
}

Task<void> recv_once(Ring& ring, int fd, uint32_t timeout_ms, int& res, bool& done) {
  char b;
  IoResult r = co_await async_recv(ring, fd, &b, 1, timeout_ms);
  res = r.res;
  done = true;
}

Detached run_detached(Task<void> t) { co_await std::move(t); }

TEST(RingDeadlines, AnOperationPastItsDeadlineIsCancelledAndOneInTimeIsNot) {
  Ring ring;
  std::string err;
  ASSERT_TRUE(ring.init(64, err)) << err;
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  int late_res = 0, early_res = 0;
  bool late_done = false, early_done = false;
  run_detached(recv_once(ring, sv[0], 30, late_res, late_done));     // nothing ever arrives
  run_detached(recv_once(ring, sv[1], 60000, early_res, early_done));  // its byte arrives
  EXPECT_EQ(ring.pending_deadlines(), 2u);
  ASSERT_EQ(write(sv[0], "x", 1), 1);
  for (int i = 0; i < 1000 && !(late_done && early_done); ++i) ring.run_once();
  EXPECT_TRUE(late_done && early_done);
  EXPECT_EQ(late_res, -ECANCELED);
  EXPECT_EQ(early_res, 1);
  EXPECT_EQ(ring.pending_deadlines(), 0u);
  close(sv[0]);
  close(sv[1]);
}

}  // namespace
}  // namespace ringgate::io
