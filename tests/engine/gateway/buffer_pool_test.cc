#include "engine/gateway/buffer_pool.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string_view>

namespace ringgate::gateway {
namespace {

// A warmed-up shard reuses its buffers instead of allocating one per request.
TEST(BufferPool, GivenBackBuffersAreReused) {
  BufferPool pool(16384, 1 << 20);
  std::string a = pool.take();
  ASSERT_GE(a.capacity(), 16384u);
  const char* storage = a.data();
  a.assign("request bytes");
  pool.give(std::move(a));
  std::string b = pool.take();
  EXPECT_EQ(b.data(), storage);
  EXPECT_TRUE(b.empty());
}

// Moved-from and never-taken strings use the library's inline storage: pooling them would hand
// out "buffers" that allocate on first use (the leak this test pins down).
TEST(BufferPool, IgnoresStringsThatAreNotItsBuffers) {
  BufferPool pool(16384, 1 << 20);
  std::string taken = pool.take();
  pool.give(std::move(taken));
  pool.give(std::move(taken));  // moved-from: must not be pooled a second time
  pool.give(std::string());
  pool.give(std::string("small"));
  EXPECT_EQ(pool.pooled(), 1u);
}

TEST(BufferPool, LetsOneOffLargeBuffersGo) {
  BufferPool pool(1024, 1 << 20);
  std::string big;
  big.reserve(1024 * 64);
  pool.give(std::move(big));  // one-off large body: back to the allocator
  EXPECT_EQ(pool.pooled(), 0u);
  EXPECT_EQ(pool.pooled_bytes(), 0u);
}

// After a burst, what the pool keeps is bounded in bytes, not only in count: many large (but
// not one-off large) buffers coming back must not all stay. seed-defect: 004-P14
TEST(BufferPool, KeepsAtMostItsByteBound) {
  BufferPool pool(1024, 8192);
  for (int i = 0; i < 10; ++i) pool.give(std::string(3000, 'x'));
  EXPECT_EQ(pool.pooled(), 2u);  // 2 x 3000 fit under 8192, a third would not
  EXPECT_LE(pool.pooled_bytes(), 8192u);
  EXPECT_GE(pool.pooled_bytes(), 6000u);
}

TEST(BufferPool, TakingOneOutFreesItsShareOfTheBound) {
  BufferPool pool(1024, 4096);
  pool.give(std::string(4096, 'x'));
  EXPECT_EQ(pool.pooled(), 1u);
  pool.give(std::string(1024, 'x'));  // full: let go
  EXPECT_EQ(pool.pooled(), 1u);
  std::string s = pool.take();
  EXPECT_GE(s.capacity(), 4096u);
  EXPECT_EQ(pool.pooled_bytes(), 0u);
  pool.give(std::string(1024, 'x'));
  EXPECT_EQ(pool.pooled(), 1u);
}

TEST(BufferPool, ZeroBoundKeepsNothing) {
  BufferPool pool(1024, 0);
  pool.give(std::string(2048, 'x'));
  EXPECT_EQ(pool.pooled(), 0u);
  EXPECT_GE(pool.take().capacity(), 1024u);
}

// Upstream read buffers: reused as they are (no clearing, no zero-fill), bounded like BufferPool.
TEST(RawBufferPool, GivenBackBuffersAreReusedWithTheirBytes) {
  RawBufferPool pool(16384, 1 << 20);
  RawBuffer a = pool.take();
  ASSERT_EQ(a.size(), 16384u);
  const char* storage = a.data();
  std::memcpy(a.data(), "HTTP/1.1", 8);
  pool.give(std::move(a));
  EXPECT_EQ(pool.pooled_bytes(), 16384u);
  RawBuffer b = pool.take();
  EXPECT_EQ(b.data(), storage);
  EXPECT_EQ(b.size(), 16384u);
  EXPECT_EQ(std::string_view(b.data(), 8), "HTTP/1.1");
  EXPECT_EQ(pool.pooled(), 0u);
}

TEST(RawBufferPool, GrowKeepsTheFilledBytes) {
  RawBuffer a(4);
  std::memcpy(a.data(), "abcd", 4);
  a.grow(8, 3);
  EXPECT_EQ(a.size(), 8u);
  EXPECT_EQ(std::string_view(a.data(), 3), "abc");
}

TEST(RawBufferPool, IgnoresMovedFromAndLetsLargeOnesAndOverflowGo) {
  RawBufferPool pool(1024, 2048);
  RawBuffer a = pool.take();
  RawBuffer moved = std::move(a);
  pool.give(std::move(a));  // moved-from: size 0
  EXPECT_EQ(pool.pooled(), 0u);
  RawBuffer big(17 * 1024);
  pool.give(std::move(big));
  EXPECT_EQ(pool.pooled(), 0u);
  pool.give(std::move(moved));
  pool.give(RawBuffer(1024));
  pool.give(RawBuffer(1024));  // over the 2048-byte bound
  EXPECT_EQ(pool.pooled(), 2u);
  EXPECT_EQ(pool.pooled_bytes(), 2048u);
}

}  // namespace
}  // namespace ringgate::gateway
