// The FLOP count of model/flops.hpp against a count by hand of the tiny
// ATRank model (test/model/fixtures.hpp), and how batches are counted.
#include <boost/test/unit_test.hpp>

#include "atrank/model/flops.hpp"
#include "test/model/fixtures.hpp"

using namespace atrank;

namespace {

spec::Plan tiny_plan() {
  spec::Spec s = test::tiny_spec();
  spec::resolve(s);
  return spec::make_plan(s);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(flops)

BOOST_AUTO_TEST_CASE(tiny_atrank_by_hand) {
  const spec::Plan plan = tiny_plan();
  // The shapes the hand count below assumes.
  const auto& g = plan.groups.at(0);
  BOOST_TEST_REQUIRE(g.input_width == 11);  // item 4 + category 4 + one-hot time of 3 buckets
  BOOST_TEST_REQUIRE(g.width == 8);
  BOOST_TEST_REQUIRE(plan.spec.encoder.hidden == 8);
  BOOST_TEST_REQUIRE(plan.spec.encoder.ffn == 4);
  BOOST_TEST_REQUIRE(plan.spec.encoder.blocks == 1);
  BOOST_TEST_REQUIRE(!plan.tasks.at(0).project_target);
  BOOST_TEST_REQUIRE(plan.tasks.at(0).target_width == 8);

  // History of 3 events, 1 candidate: 2 per multiply-add.
  const double projection = 2 * 3 * 11 * 8;                   // 528
  const double self = 3 * (2 * 3 * 8 * 8)                      // Q, K, V: 1152
                      + 2 * (2 * 3 * 3 * 8)                    // scores, weighted sum: 288
                      + 2 * 3 * 8 * 4 + 2 * 3 * 4 * 8;         // feed-forward: 384
  const double vanilla = 2 * 1 * 8 * 8 + 2 * (2 * 3 * 8 * 8)   // Q of the target, K, V: 896
                         + 2 * (2 * 1 * 3 * 8)                 // 96
                         + 2 * 1 * 8 * 4 + 2 * 1 * 4 * 8;      // 128
  const double logit = 2 * 8;
  BOOST_TEST(projection + self + vanilla + logit == 3488);
  model::ExampleShape shape;
  shape.positions = {3};
  shape.history = 3;
  BOOST_TEST(model::forward_flops(plan, shape) == 3488);

  // Two blocks: the encoder's work twice.
  spec::Spec two = plan.spec;
  two.encoder.blocks = 2;
  BOOST_TEST(model::forward_flops(spec::make_plan(two), shape) == 3488 + self + vanilla);
}

BOOST_AUTO_TEST_CASE(useful_counts_real_positions_executed_the_padded_slices) {
  const spec::Plan plan = tiny_plan();
  auto f = [&](std::int64_t len) {
    model::ExampleShape s;
    s.positions = {len};
    s.history = len;
    return model::forward_flops(plan, s);
  };
  data::Batch b;
  b.size = 3;
  b.groups = {test::group_batch({{1, 2, 3, 4}, {1}, {2, 3}})};
  b.targets = {1, 2, 3};
  b.labels = {1, 0, 1};
  const auto one = model::batch_forward_flops(plan, b, 1, false);
  BOOST_TEST(one.useful == f(4) + f(1) + f(2));
  BOOST_TEST(one.executed == 3 * f(4));
  // Slices [0,1) and [1,3), each padded to its own longest (batch_slice.hpp).
  const auto two = model::batch_forward_flops(plan, b, 2, false);
  BOOST_TEST(two.useful == one.useful);
  BOOST_TEST(two.executed == f(4) + 2 * f(2));
  // Packed rows compute no padding.
  const auto packed = model::batch_forward_flops(plan, b, 2, true);
  BOOST_TEST(packed.useful == one.useful);
  BOOST_TEST(packed.executed == packed.useful);
}

BOOST_AUTO_TEST_SUITE_END()
