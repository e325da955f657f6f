#include <boost/test/unit_test.hpp>
#include <xtensor/xview.hpp>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/gather.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/ops/matmul.hpp"
#include "test/autodiff/op_test_util.hpp"
#include "test/tensor/expect_close.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;

namespace {

// Dense (rows, width) copy of a table's sparse gradient (test-only).
xt::xtensor<double, 2> densify(const EmbeddingTable<double>& tb) {
  xt::xtensor<double, 2> g = xt::zeros<double>(tb.tensor().shape());
  const auto slices = xt::adapt(tb.grad.values, {tb.grad.rows.size(), std::size_t(tb.width)});
  for (std::size_t r = 0; r < tb.grad.rows.size(); ++r)
    xt::view(g, tb.grad.rows[r]) += xt::view(slices, r);
  return g;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gradcheck)

BOOST_AUTO_TEST_CASE(gather_op_row_used_twice) {
  std::mt19937_64 rng(60);
  EmbeddingTable<double> tb("item", 6, 3);
  fill_random(tb, rng);
  ParamArena<double> p;
  const int w = random_param(p, "w", {3}, rng);
  const std::int32_t ids[6] = {1, 4, 1, 0, 5, 4};  // rows 1 and 4 twice
  auto r = check_gradients(p, {&tb}, [&](Tape<double>& t) {
    return mul(t, gather(t, tb, ids, {2, 3}), p.on(t, w));
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(gather_table_shared_by_two_lookups) {
  std::mt19937_64 rng(61);
  EmbeddingTable<double> tb("item", 5, 2);
  fill_random(tb, rng);
  const std::int32_t hist[3] = {2, 3, 2};
  const std::int32_t target[1] = {2};
  ParamArena<double> p;
  auto r = check_gradients(p, {&tb}, [&](Tape<double>& t) {
    Var a = gather(t, tb, hist, {3});
    Var b = gather(t, tb, target, {1});
    return concat(t, {tanh(t, a), scale(t, b, 3.0)}, 0);
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(gather_mapped_op) {
  std::mt19937_64 rng(62);
  EmbeddingTable<double> cat("category", 3, 4);
  fill_random(cat, rng);
  const std::int32_t item_to_cat[5] = {0, 2, 2, 1, 0};
  const std::int32_t items[4] = {1, 2, 4, 3};  // items 1 and 2 share category 2
  ParamArena<double> p;
  auto r = check_gradients(p, {&cat}, [&](Tape<double>& t) {
    return sigmoid(t, gather_mapped(t, cat, item_to_cat, 5, items, {2, 2}));
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(one_hot_op_constant_input) {
  // one_hot is a constant (no gradient of its own); it must feed a product
  // whose other factor still gets the right gradient. Ids include the
  // overflow bucket (== depth), which gives a zero row.
  std::mt19937_64 rng(63);
  ParamArena<double> p;
  const int w = random_param(p, "w", {4, 3}, rng);
  const std::int32_t ids[5] = {0, 3, 2, 4, 3};
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    Var oh = one_hot(t, ids, {5}, 4);
    BOOST_TEST(!t.requires_grad(oh));
    return matmul(t, oh, p.on(t, w));
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(gather_semantics)

BOOST_AUTO_TEST_CASE(gather_values_and_sparse_rows_kept_separate) {
  EmbeddingTable<double> tb("item", 4, 2);
  for (std::size_t i = 0; i < tb.values.size(); ++i) tb.values[i] = double(i);
  Tape<double> t;
  const std::int32_t ids[3] = {3, 1, 3};
  Var y = gather(t, tb, ids, {3});
  BOOST_TEST(t.shape(y) == Shape({3, 2}));
  const std::vector<double> want = {6, 7, 2, 3, 6, 7};
  BOOST_TEST(values_of(t, y) == want, boost::test_tools::per_element());
  const double seed[6] = {1, 2, 3, 4, 5, 6};
  t.backward_from(y, seed);
  // IndexedSlices: one row per lookup, duplicates not merged, never table-sized.
  const std::vector<std::int32_t> rows = {3, 1, 3};
  BOOST_TEST(tb.grad.rows == rows, boost::test_tools::per_element());
  const std::vector<double> vals = {1, 2, 3, 4, 5, 6};
  BOOST_TEST(tb.grad.values == vals, boost::test_tools::per_element());
  const xt::xtensor<double, 2> dense = {{0, 0}, {3, 4}, {0, 0}, {6, 8}};
  BOOST_TEST((densify(tb) == dense));
}

BOOST_AUTO_TEST_CASE(gather_picks_table_rows_as_xtensor_does) {
  std::mt19937_64 rng(64);
  EmbeddingTable<double> tb("item", 6, 3);
  fill_random(tb, rng);
  const std::int32_t ids[4] = {5, 0, 5, 2};
  const std::int32_t item_to_cat[3] = {4, 1, 3};
  const std::int32_t items[2] = {2, 0};
  Tape<double> t;
  const auto y = t.tensor(gather(t, tb, ids, {2, 2}));
  expect_close(y, xt::reshape_view(xt::view(tb.tensor(), xt::keep(5, 0, 5, 2)), {2, 2, 3}));
  const auto m = t.tensor(gather_mapped(t, tb, item_to_cat, 3, items, {2}));
  expect_close(m, xt::view(tb.tensor(), xt::keep(3, 4)));
}

BOOST_AUTO_TEST_CASE(gather_mapped_values_and_rows) {
  EmbeddingTable<double> cat("category", 3, 1);
  cat.values = {10, 11, 12};
  const std::int32_t item_to_cat[4] = {2, 0, 2, 1};
  const std::int32_t items[3] = {3, 0, 2};
  Tape<double> t;
  Var y = gather_mapped(t, cat, item_to_cat, 4, items, {3});
  const std::vector<double> want = {11, 12, 12};
  BOOST_TEST(values_of(t, y) == want, boost::test_tools::per_element());
  const double seed[3] = {1, 2, 3};
  t.backward_from(y, seed);
  const std::vector<std::int32_t> rows = {1, 2, 2};
  BOOST_TEST(cat.grad.rows == rows, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(shared_table_gradient_is_sum_of_both_uses) {
  EmbeddingTable<double> tb("item", 5, 2);
  for (std::size_t i = 0; i < tb.values.size(); ++i) tb.values[i] = 0.1 * double(i);
  Tape<double> t;
  const std::int32_t hist[2] = {2, 4};
  const std::int32_t target[1] = {2};
  Var a = gather(t, tb, hist, {2});
  Var b = gather(t, tb, target, {1});
  Var y = concat(t, {a, scale(t, b, 3.0)}, 0);  // (3,2)
  const double seed[6] = {1, 2, 10, 20, 100, 200};
  t.backward_from(y, seed);
  // Row 2: seed of the history lookup (1,2) plus 3 x seed of the target lookup (100,200).
  const xt::xtensor<double, 2> want = {{0, 0}, {0, 0}, {1 + 3 * 100, 2 + 3 * 200}, {0, 0}, {10, 20}};
  BOOST_TEST((densify(tb) == want));
  BOOST_TEST(tb.grad.rows.size() == 3u);
}

BOOST_AUTO_TEST_CASE(gather_id_out_of_range_throws_with_context) {
  EmbeddingTable<float> tb("category", 3, 2);
  Tape<float> t;
  const std::int32_t ids[2] = {1, 7};
  BOOST_CHECK_THROW(gather(t, tb, ids, {2}), std::out_of_range);
  try {
    gather(t, tb, ids, {2});
  } catch (const std::out_of_range& e) {
    const std::string m = e.what();
    BOOST_TEST(m.find("7") != std::string::npos);
    BOOST_TEST(m.find("category") != std::string::npos);
    BOOST_TEST(m.find("size 3") != std::string::npos);
  }
  const std::int32_t neg[1] = {-1};
  BOOST_CHECK_THROW(gather(t, tb, neg, {1}), std::out_of_range);
  const std::int32_t map[2] = {0, 5};  // map[1] points outside the table
  const std::int32_t ok_id[1] = {1};
  BOOST_CHECK_THROW(gather_mapped(t, tb, map, 2, ok_id, {1}), std::out_of_range);
  const std::int32_t bad_id[1] = {2};
  BOOST_CHECK_THROW(gather_mapped(t, tb, map, 2, bad_id, {1}), std::out_of_range);
  BOOST_TEST(t.size() == 0);  // nothing recorded by the failed calls
}

BOOST_AUTO_TEST_CASE(one_hot_values_overflow_gives_zeros) {
  Tape<double> t;
  const std::int32_t ids[4] = {0, 2, 3, -1};  // 3 = depth (overflow bucket), -1 invalid
  Var y = one_hot(t, ids, {2, 2}, 3);
  BOOST_TEST(t.shape(y) == Shape({2, 2, 3}));
  const std::vector<double> want = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  BOOST_TEST(values_of(t, y) == want, boost::test_tools::per_element());
  BOOST_TEST(!t.requires_grad(y));  // a constant
}

BOOST_AUTO_TEST_SUITE_END()
