// UpstreamPool::retire: what a reload does to the pool of an upstream that left the config.
#include "engine/gateway/upstream_pool.h"

#include <gtest/gtest.h>

namespace ringgate::gateway {
namespace {

TEST(UpstreamPool, RetireClosesIdleConnectionsAndThoseThatComeBack) {
  UpstreamPool pool(PoolLimits{});
  auto idle = pool.open_new();
  auto busy = pool.open_new();
  pool.park(std::move(idle), 0);
  ASSERT_EQ(pool.idle(), 1u);
  ASSERT_EQ(pool.open(), 2u);

  pool.retire();
  EXPECT_EQ(pool.idle(), 0u);
  EXPECT_EQ(pool.open(), 1u);  // the busy one is still out with its request
  // The request ends and hands its connection back: closed, not parked.
  pool.park(std::move(busy), 0);
  EXPECT_EQ(pool.idle(), 0u);
  EXPECT_EQ(pool.open(), 0u);
  EXPECT_EQ(pool.take_idle(0), nullptr);
}

TEST(UpstreamPool, LimitsCompareByValue) {
  PoolLimits a, b;
  EXPECT_EQ(a, b);
  b.queue_timeout_ms += 1;
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace ringgate::gateway
