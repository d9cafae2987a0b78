// Balancer: exact weight ratios and nginx's smooth interleaving, unusable deployments never
// tried, and each strategy's pick and fallback order; DeploymentLoad's EWMA.
#include "engine/upstream/balancer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

namespace ringgate::upstream {
namespace {

std::vector<uint32_t> order_of(Balancer& b, Strategy s, const std::vector<uint32_t>& weights,
                               const std::vector<DeploymentLoad>& loads,
                               const std::vector<bool>& usable_in) {
  // std::vector<bool> has no contiguous storage for a span.
  std::unique_ptr<bool[]> usable(new bool[usable_in.size()]);
  for (size_t i = 0; i < usable_in.size(); ++i) usable[i] = usable_in[i];
  std::vector<uint32_t> out;
  b.order(s, weights, loads, std::span<const bool>(usable.get(), usable_in.size()), out);
  return out;
}

TEST(Balancer, ParsesTheThreeStrategyNamesExactly) {
  EXPECT_EQ(parse_strategy("weighted"), Strategy::kWeighted);
  EXPECT_EQ(parse_strategy("least_outstanding"), Strategy::kLeastOutstanding);
  EXPECT_EQ(parse_strategy("latency"), Strategy::kLatency);
  EXPECT_FALSE(parse_strategy("Weighted"));
  EXPECT_FALSE(parse_strategy("random"));
  EXPECT_FALSE(parse_strategy(""));
}

TEST(Balancer, WeightedThreeToOneOverAThousandPicksIsExact) {
  Balancer b;
  const std::vector<DeploymentLoad> loads(2);
  std::map<uint32_t, int> picks;
  for (int i = 0; i < 1000; ++i)
    ++picks[order_of(b, Strategy::kWeighted, {3, 1}, loads, {true, true})[0]];
  EXPECT_EQ(picks[0], 750);
  EXPECT_EQ(picks[1], 250);
}

TEST(Balancer, WeightedIsSmoothLikeNginx) {
  // nginx's example: weights 5, 1, 1 give a a b a c a a, not a a a a a b c.
  Balancer b;
  const std::vector<DeploymentLoad> loads(3);
  std::vector<uint32_t> seq;
  for (int i = 0; i < 7; ++i)
    seq.push_back(order_of(b, Strategy::kWeighted, {5, 1, 1}, loads, {true, true, true})[0]);
  EXPECT_EQ(seq, (std::vector<uint32_t>{0, 0, 1, 0, 2, 0, 0}));
}

TEST(Balancer, WeightedRatiosHoldAmongTheUsableOnes) {
  Balancer b;
  const std::vector<DeploymentLoad> loads(3);
  std::map<uint32_t, int> picks;
  for (int i = 0; i < 1000; ++i) {
    const auto o = order_of(b, Strategy::kWeighted, {2, 5, 3}, loads, {true, false, true});
    ASSERT_EQ(o.size(), 2u);
    ++picks[o[0]];
  }
  EXPECT_EQ(picks[0], 400);
  EXPECT_EQ(picks[1], 0);
  EXPECT_EQ(picks[2], 600);
}

TEST(Balancer, WeightedOrderListsEveryUsableOnceWithThePickFirst) {
  Balancer b;
  const std::vector<DeploymentLoad> loads(4);
  for (int i = 0; i < 50; ++i) {
    auto o = order_of(b, Strategy::kWeighted, {1, 2, 3, 4}, loads, {true, true, false, true});
    ASSERT_EQ(o.size(), 3u);
    std::sort(o.begin(), o.end());
    EXPECT_EQ(o, (std::vector<uint32_t>{0, 1, 3}));
  }
}

TEST(Balancer, UnusableAreNeverPickedUnderAnyStrategy) {
  const std::vector<bool> usable = {false, true, false, true, false};
  std::vector<DeploymentLoad> loads(5);
  loads[0].outstanding = 0;  // the best by load, but unusable
  loads[1].outstanding = 9;
  loads[3].outstanding = 7;
  for (Strategy s : {Strategy::kWeighted, Strategy::kLeastOutstanding, Strategy::kLatency}) {
    Balancer b;
    for (int i = 0; i < 100; ++i) {
      const auto o = order_of(b, s, {9, 1, 9, 1, 9}, loads, usable);
      ASSERT_EQ(o.size(), 2u);
      for (uint32_t d : o) EXPECT_TRUE(d == 1 || d == 3);
    }
  }
  Balancer b;
  EXPECT_TRUE(
      order_of(b, Strategy::kWeighted, {1, 1}, std::vector<DeploymentLoad>(2), {false, false})
          .empty());
}

TEST(Balancer, LeastOutstandingPicksTheLeastLoadedThenByLoad) {
  Balancer b;
  std::vector<DeploymentLoad> loads(4);
  loads[0].outstanding = 5;
  loads[1].outstanding = 1;
  loads[2].outstanding = 3;
  loads[3].outstanding = 2;
  EXPECT_EQ(order_of(b, Strategy::kLeastOutstanding, {1, 1, 1, 1}, loads, {true, true, true, true}),
            (std::vector<uint32_t>{1, 3, 2, 0}));
}

TEST(Balancer, LeastOutstandingTiesGoByWeightThenTakeTurns) {
  Balancer b;
  std::vector<DeploymentLoad> loads(3);
  // Equal load: the heavier weight first.
  EXPECT_EQ(order_of(b, Strategy::kLeastOutstanding, {1, 4, 1}, loads, {true, true, true})[0], 1u);
  // Equal load and weight: round robin.
  std::map<uint32_t, int> picks;
  for (int i = 0; i < 300; ++i)
    ++picks[order_of(b, Strategy::kLeastOutstanding, {2, 2, 2}, loads, {true, true, true})[0]];
  EXPECT_EQ(picks[0], 100);
  EXPECT_EQ(picks[1], 100);
  EXPECT_EQ(picks[2], 100);
}

TEST(Balancer, LatencyMeasuresNewDeploymentsFirstThenPicksTheFastest) {
  Balancer b;
  std::vector<DeploymentLoad> loads(3);
  for (int i = 0; i < 3; ++i) loads[0].on_ttfb(50);
  for (int i = 0; i < 3; ++i) loads[1].on_ttfb(20);
  loads[2].on_ttfb(10);  // two samples short of being trusted
  EXPECT_EQ(order_of(b, Strategy::kLatency, {1, 1, 1}, loads, {true, true, true}),
            (std::vector<uint32_t>{2, 1, 0}));
  loads[2].on_ttfb(900);
  loads[2].on_ttfb(900);  // measured now, and slow
  EXPECT_EQ(order_of(b, Strategy::kLatency, {1, 1, 1}, loads, {true, true, true}),
            (std::vector<uint32_t>{1, 0, 2}));
}

TEST(Balancer, LatencyTriesTheLeastMeasuredFirst) {
  Balancer b;
  std::vector<DeploymentLoad> loads(3);
  loads[0].on_ttfb(5);
  loads[0].on_ttfb(5);
  loads[1].on_ttfb(5);
  for (int i = 0; i < 3; ++i) loads[2].on_ttfb(1);
  EXPECT_EQ(order_of(b, Strategy::kLatency, {1, 1, 1}, loads, {true, true, true}),
            (std::vector<uint32_t>{1, 0, 2}));
}

TEST(DeploymentLoad, EwmaStartsAtTheFirstSampleAndWeighsNewOnesByPointThree) {
  DeploymentLoad d;
  d.on_ttfb(100);
  EXPECT_DOUBLE_EQ(d.ewma_ttfb_ms, 100);
  d.on_ttfb(200);
  EXPECT_DOUBLE_EQ(d.ewma_ttfb_ms, 0.3 * 200 + 0.7 * 100);
  EXPECT_EQ(d.samples, 2u);
  d.on_start();
  d.on_start();
  d.on_finish();
  EXPECT_EQ(d.outstanding, 1u);
  d.on_finish();
  d.on_finish();  // an extra finish never wraps around
  EXPECT_EQ(d.outstanding, 0u);
}

}  // namespace
}  // namespace ringgate::upstream
