#include "engine/io/frame_allocator.h"

#include <gtest/gtest.h>

#include "engine/io/task.h"

namespace ringgate::io {
namespace {

#if !defined(__SANITIZE_ADDRESS__)
TEST(FrameAllocator, ReusesFramesOfTheSameSizeClass) {
  void* a = FrameAllocator::allocate(200);
  FrameAllocator::deallocate(a, 200);
  void* b = FrameAllocator::allocate(250);  // same 64-byte class (193..256)
  EXPECT_EQ(a, b);
  void* c = FrameAllocator::allocate(250);  // list empty again: a fresh block
  EXPECT_NE(b, c);
  FrameAllocator::deallocate(b, 250);
  FrameAllocator::deallocate(c, 250);
}
#endif

TEST(FrameAllocator, LargeFramesGoToTheHeap) {
  void* a = FrameAllocator::allocate(1 << 16);
  ASSERT_NE(a, nullptr);
  FrameAllocator::deallocate(a, 1 << 16);
}

Task<int> add(int a, int b) { co_return a + b; }
Task<int> sum_to(int n) {
  int total = 0;
  for (int i = 1; i <= n; ++i) total = co_await add(total, i);
  co_return total;
}
Detached run(int n, int& out) { out = co_await sum_to(n); }

// Coroutines that complete synchronously still run through the pooled frames correctly.
TEST(Task, NestedTasksComputeTheirResults) {
  int out = 0;
  run(1000, out);
  EXPECT_EQ(out, 500500);
}

}  // namespace
}  // namespace ringgate::io
