#include "engine/gateway/buffer_pool.h"

#include <gtest/gtest.h>

namespace ringgate::gateway {
namespace {

// A warmed-up shard reuses its buffers instead of allocating one per request.
TEST(BufferPool, GivenBackBuffersAreReused) {
  BufferPool pool(16384);
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
  BufferPool pool(16384);
  std::string taken = pool.take();
  pool.give(std::move(taken));
  pool.give(std::move(taken));  // moved-from: must not be pooled a second time
  pool.give(std::string());
  pool.give(std::string("small"));
  EXPECT_EQ(pool.pooled(), 1u);
}

TEST(BufferPool, BoundsWhatItKeeps) {
  BufferPool pool(1024, 2);
  std::string big;
  big.reserve(1024 * 64);
  pool.give(std::move(big));  // one-off large body: back to the allocator
  EXPECT_EQ(pool.pooled(), 0u);
  for (int i = 0; i < 5; ++i)
    pool.give(pool.take().empty() ? std::string(2048, 'x') : std::string());
  EXPECT_LE(pool.pooled(), 2u);
}

}  // namespace
}  // namespace ringgate::gateway
