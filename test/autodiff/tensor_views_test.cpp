// The xtensor accessors: node values and gradients, parameters and embedding
// tables viewed in place (no copy), in their own shapes.
#include <boost/test/unit_test.hpp>
#include <xtensor/xview.hpp>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/reduce.hpp"
#include "test/autodiff/op_test_util.hpp"
#include "test/tensor/expect_close.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;

BOOST_AUTO_TEST_SUITE(tensor_views)

BOOST_AUTO_TEST_CASE(parameter_and_node_views_share_memory) {
  ParamArena<double> p;
  p.add("bias", {3});
  const int w = p.add("w", {2, 3});
  auto wt = p.tensor(w);
  BOOST_TEST(wt.dimension() == 2u);
  BOOST_TEST(wt.shape(0) == 2u);
  BOOST_TEST(wt.shape(1) == 3u);
  BOOST_TEST(wt.data() == p.value(w));  // the arena's own memory, after the bias
  wt = xt::xtensor<double, 2>{{1, -2, 3}, {-4, 5, -6}};
  BOOST_TEST(p.values()[3] == 1.0);
  BOOST_TEST(p.values()[8] == -6.0);

  Tape<double> t;
  const Var x = p.on(t, w);
  const Var y = autodiff::tanh(t, x);
  expect_close(t.tensor(y), xt::tanh(p.tensor(w)));
  BOOST_TEST(t.tensor(y).data() == t.value(y));
  p.zero_grad();
  t.backward(sum(t, y));
  // d sum(tanh(w)) / dw = 1 - tanh(w)^2, in the gradient arena and on the tape.
  expect_close(p.grad_tensor(w), 1.0 - xt::square(xt::tanh(p.tensor(w))));
  expect_close(t.grad_tensor(x), p.grad_tensor(w));
  BOOST_CHECK_THROW(t.grad_tensor(t.constant({1}, p.value(w))), std::logic_error);
}

BOOST_AUTO_TEST_CASE(embedding_table_view_is_rows_by_width) {
  EmbeddingTable<float> tb("item", 4, 2);
  auto v = tb.tensor();
  BOOST_TEST(v.shape(0) == 4u);
  BOOST_TEST(v.shape(1) == 2u);
  xt::view(v, 2, xt::all()) = 7.f;  // row 2
  BOOST_TEST(tb.row(2)[0] == 7.f);
  BOOST_TEST(tb.row(2)[1] == 7.f);
  BOOST_TEST(tb.row(1)[1] == 0.f);
}

BOOST_AUTO_TEST_SUITE_END()
